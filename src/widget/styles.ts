/**
 * The widget's whole stylesheet, scoped by its shadow root: the host page's rules cannot reach
 * in and these cannot leak out. `--ic-accent` comes from `data-accent`.
 */
const dark =
  "--ic-bg:#1c1f24;--ic-fg:#e8eaed;--ic-muted:#a3abb5;--ic-soft:#2a2e35;--ic-line:#3a3f47;--ic-warn:#f5c46b;--ic-warn-bg:#3a2f16;--ic-error:#ff9b9b;--ic-error-bg:#3b1d1f;--ic-shadow:0 10px 40px rgba(0,0,0,.5)";

export const styles = `
:host{all:initial}
.root{--ic-accent:#2f5bea;--ic-on-accent:#fff;--ic-bg:#fff;--ic-fg:#1b1f24;--ic-muted:#5b6470;--ic-soft:#f1f3f6;--ic-line:#d8dde3;--ic-user:#e8eefc;--ic-warn:#8a5a00;--ic-warn-bg:#fff6e0;--ic-error:#a4262c;--ic-error-bg:#fdecec;--ic-shadow:0 10px 40px rgba(0,0,0,.18);
all:initial;display:block;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ic-fg);-webkit-font-smoothing:antialiased}
@media (prefers-color-scheme:dark){.root.auto{${dark}}}
.root.dark{${dark};color-scheme:dark}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
button,textarea{font:inherit;color:inherit}
button{cursor:pointer;border:0;background:none;margin:0;padding:0}
:focus-visible{outline:2px solid var(--ic-accent);outline-offset:2px}
svg{width:20px;height:20px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
.sr-only{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.launcher{position:fixed;z-index:2147483000;bottom:20px;right:20px;width:56px;height:56px;border-radius:50%;display:flex;align-items:center;justify-content:center;background:var(--ic-accent);color:var(--ic-on-accent);box-shadow:var(--ic-shadow);transition:transform .15s}
.launcher:hover{transform:scale(1.06)}
.launcher svg{width:26px;height:26px}
.left .launcher{right:auto;left:20px}
.panel{position:fixed;z-index:2147483001;bottom:88px;right:20px;width:380px;max-width:calc(100vw - 40px);height:600px;max-height:calc(100vh - 108px);display:flex;flex-direction:column;background:var(--ic-bg);color:var(--ic-fg);border:1px solid var(--ic-line);border-radius:14px;box-shadow:var(--ic-shadow);overflow:hidden;animation:ic-in .18s ease-out}
.left .panel{right:auto;left:20px}
.inline{height:100%}
.inline .panel{position:relative;inset:auto;width:100%;max-width:none;height:100%;min-height:420px;max-height:none;box-shadow:none;animation:none;z-index:auto}
@keyframes ic-in{from{opacity:0;transform:translateY(8px)}}
@media (max-width:520px),(max-height:520px){.floating .panel{inset:0;width:100%;max-width:none;height:100%;max-height:none;border-radius:0;border:0}.floating.open .launcher{display:none}}
.header{display:flex;align-items:center;gap:4px;padding:10px 10px 10px 16px;border-bottom:1px solid var(--ic-line)}
h2{flex:1;margin:0;font-size:16px;font-weight:650;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.icon-button{width:36px;height:36px;border-radius:8px;display:flex;align-items:center;justify-content:center;color:var(--ic-muted)}
.icon-button:hover{background:var(--ic-soft);color:var(--ic-fg)}
.log{position:relative;flex:1;overflow-y:auto;padding:16px;display:flex;flex-direction:column;gap:12px;overscroll-behavior:contain}
.message{max-width:92%;padding:10px 12px;border-radius:12px;overflow-wrap:anywhere}
.user{align-self:flex-end;white-space:pre-wrap;background:var(--ic-accent);color:var(--ic-on-accent);border-bottom-right-radius:4px}
.assistant{align-self:flex-start;background:var(--ic-soft);border-bottom-left-radius:4px}
.text{margin:0}.text p,.text ul,.text ol{margin:0 0 .6em}.text>:last-child{margin-bottom:0}.text ul,.text ol{padding-left:1.3em}.text li+li{margin-top:.2em}
.unsupported{text-decoration:underline dotted var(--ic-warn);text-underline-offset:3px}.unsupported small{color:var(--ic-warn);font-size:12px}
.chip{display:inline-flex;align-items:center;justify-content:center;min-width:24px;height:24px;padding:0 6px;margin:0 2px;border-radius:10px;font-size:12px;font-weight:650;line-height:1;vertical-align:1px;background:var(--ic-accent);color:var(--ic-on-accent)}
.chip[aria-expanded=true]{box-shadow:0 0 0 2px var(--ic-bg),0 0 0 4px var(--ic-accent)}
.chip.pending{opacity:.55}
@media (forced-colors:active){.launcher,.send,.stop{border:2px solid ButtonText}.chip{border:1px solid LinkText}.user,.assistant{border:1px solid CanvasText}}
.typing{display:inline-flex;gap:4px;padding:4px 0}
.typing span{width:7px;height:7px;border-radius:50%;background:var(--ic-muted);animation:ic-dot 1s infinite ease-in-out}
.typing span:nth-child(2){animation-delay:.15s}.typing span:nth-child(3){animation-delay:.3s}
@keyframes ic-dot{0%,80%,100%{opacity:.3}40%{opacity:1}}
.card-body{margin:4px 0 10px;padding:10px 12px;border-left:3px solid var(--ic-accent);background:var(--ic-bg);border-radius:6px;white-space:normal}
.card-label,.card-meta{margin:0;font-size:12px;color:var(--ic-muted)}
.seek{min-width:24px;min-height:24px;padding:0 2px;text-decoration:underline;font-weight:650}
.card-question{margin:2px 0 8px;font-weight:600}
.card-quote{margin:0 0 6px;font-style:italic}
.card-quote::before{content:"“"}.card-quote::after{content:"”"}
.reply-suggestions{display:flex;flex-wrap:wrap;gap:6px;margin:8px 0 0;white-space:normal}.unsupported-claim{margin:4px 0 0;font-style:italic}.note{margin:8px 0 0;padding:6px 8px;border-radius:6px;font-size:13px;white-space:normal;color:var(--ic-warn);background:var(--ic-warn-bg)}
.actions,.feedback{display:flex;gap:2px}.actions{margin:6px 0 0}.thumb{width:28px;height:28px;border-radius:6px;display:flex;align-items:center;justify-content:center;color:var(--ic-muted)}.thumb svg{width:16px;height:16px}.thumb:hover{background:var(--ic-bg);color:var(--ic-fg)}.thumb[aria-pressed=true]{color:var(--ic-accent)}
.status{margin:6px 0 0;font-size:12px;color:var(--ic-muted)}.status.cut{font-size:13px;color:var(--ic-error)}
.error{background:var(--ic-error-bg);color:var(--ic-error)}
.retry{margin:8px 6px 0 0;padding:5px 12px;border-radius:8px;border:1px solid currentColor;font-size:13px;font-weight:600}
.confirm{display:flex;flex-wrap:wrap;align-items:center;gap:0 6px;padding:8px 16px 10px;border-bottom:1px solid var(--ic-line);background:var(--ic-soft)}.confirm p{flex-basis:100%;margin:0;font-weight:600}
.avatar{width:28px;height:28px;border-radius:50%;object-fit:cover;margin-right:6px}
.suggestions{display:flex;flex-wrap:wrap;gap:6px;padding:0 16px 12px}
.suggestion{padding:6px 10px;border:1px solid var(--ic-accent);border-radius:16px;color:var(--ic-accent);font-size:13px;text-align:left;background:var(--ic-bg)}
.suggestion:hover{background:var(--ic-soft)}
form{display:flex;align-items:flex-end;gap:8px;padding:10px 12px;border-top:1px solid var(--ic-line)}
textarea{flex:1;resize:none;min-height:40px;max-height:140px;padding:9px 12px;font-size:16px;border:1px solid var(--ic-line);border-radius:10px;background:var(--ic-bg);line-height:1.4}
textarea:focus{outline:2px solid var(--ic-accent);outline-offset:-1px}
.send,.stop{width:40px;height:40px;border-radius:10px;display:flex;align-items:center;justify-content:center;background:var(--ic-accent);color:var(--ic-on-accent)}
.send:disabled,.retry:disabled,textarea:disabled{opacity:.45;cursor:default}
.stop{background:var(--ic-fg);color:var(--ic-bg)}
@media (prefers-reduced-motion:reduce){*,*::before,*::after{animation:none!important;transition:none!important}}
`;
