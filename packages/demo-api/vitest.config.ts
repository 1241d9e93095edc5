import { defineConfig } from 'vitest/config';
import { readSources } from '../../vitest.shared.js';

export default defineConfig({
  ...readSources,
});
