// ESLint for the web app (`npm run lint`, run by the repository's `make lint`): TypeScript's
// recommended rules with type information (promises left floating, unsafe `any`), React's
// rules of hooks and the React Compiler's checks, and jsx-a11y's accessibility checks (the
// issue's WCAG 2.2 AA: every control labelled, no mouse-only handlers).
import js from "@eslint/js";
import jsxA11y from "eslint-plugin-jsx-a11y";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist", "node_modules", "public/sw.js", "src/lib/api/schema.d.ts"] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  reactHooks.configs.flat.recommended,
  jsxA11y.flatConfigs.recommended,
  {
    languageOptions: {
      globals: globals.browser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ["eslint.config.js"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
);
