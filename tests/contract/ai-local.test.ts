import { describe } from 'vitest';
import { createLocalImageModel } from '../../server/adapters/ai/local.ts';
import { testImageModel } from './suites/image-model.ts';

describe('image model: local preview', () => {
  testImageModel({ create: async () => createLocalImageModel() });
});
