// ESLint's flat config for the renderer: the recommended rules over ES modules. The drawing
// modules are browser-safe (the playground imports them), so only the Node side may name
// Node's globals: `no-undef` catches one that slips into a drawing module.
import js from '@eslint/js';

const NODE_GLOBALS = { process: 'readonly', Buffer: 'readonly', URL: 'readonly' };

export default [
  { ignores: ['node_modules/'] },
  js.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: {} },
  },
  {
    files: ['render.js', 'eslint.config.js', 'src/jobs.js', 'src/worker.js', 'src/encode.js', 'src/raster.js', 'test/**/*.js'],
    languageOptions: { globals: NODE_GLOBALS },
  },
];
