// ESLint flat config: JavaScript's and typescript-eslint's recommended rules (not the type-checked
// sets: they need a type-aware parse of every file, which costs more than tsc's own check), with
// formatting left to Prettier (eslint-config-prettier turns off the rules it would fight).
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import { defineConfig } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig(
  { ignores: ["build/", "dist/", "node_modules/", "index/", "var/", "eval/out/", "test-artifacts/", "scratch/"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  { languageOptions: { globals: globals.node } },
  // The widget runs in the browser; its tests drive it in happy-dom and Chromium from Node.
  { files: ["src/widget/**/*.ts"], languageOptions: { globals: globals.browser } },
  { files: ["test/**/*.ts"], languageOptions: { globals: { ...globals.node, ...globals.browser } } },
  // The code-cache loader is CommonJS: it runs before, and outside, the ES module loader.
  {
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    rules: {
      // `_name` marks a parameter or binding kept for its position (Express handlers, destructuring).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
  prettier,
);
