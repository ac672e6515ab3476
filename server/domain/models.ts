/**
 * The model catalog: our model ids, the Cloudflare Workers AI model each maps to, and what
 * each accepts. The generator's form and the server's validation both read from here.
 * @see https://developers.cloudflare.com/workers-ai/models/
 */
export interface Size {
  width: number;
  height: number;
  /** A label such as "Square 1:1". */
  label: string;
}

export interface Range {
  min: number;
  max: number;
  default: number;
}

export interface ModelSpec {
  id: string;
  label: string;
  description: string;
  /** The Workers AI model name used in the REST path. */
  cloudflareModel: string;
  sizes: Size[];
  steps: Range;
  /** Null when the model takes no guidance value. */
  guidance: Range | null;
  negativePrompt: boolean;
  /** Whether the model honours a seed (so the same seed gives the same image). */
  seed: boolean;
  /** Whether width/height are sent (FLUX.1 schnell always answers 1024×1024). */
  sendsSize: boolean;
  /** Field name for the step count in the request body. */
  stepsField: 'num_steps' | 'steps';
  /** How the REST API answers: raw PNG bytes, or JSON `{result: {image: base64}}`. */
  response: 'binary' | 'json-base64';
  maxPromptLength: number;
}

const SDXL_SIZES: Size[] = [
  { width: 1024, height: 1024, label: 'Square 1:1' },
  { width: 1152, height: 896, label: 'Landscape 9:7' },
  { width: 896, height: 1152, label: 'Portrait 7:9' },
  { width: 1216, height: 832, label: 'Landscape 3:2' },
  { width: 832, height: 1216, label: 'Portrait 2:3' },
  { width: 1344, height: 768, label: 'Wide 16:9' },
  { width: 768, height: 1344, label: 'Tall 9:16' },
  { width: 512, height: 512, label: 'Small square 1:1' },
];

const SD15_SIZES: Size[] = [
  { width: 512, height: 512, label: 'Square 1:1' },
  { width: 768, height: 512, label: 'Landscape 3:2' },
  { width: 512, height: 768, label: 'Portrait 2:3' },
  { width: 768, height: 768, label: 'Large square 1:1' },
];

export const MODELS: ModelSpec[] = [
  {
    id: 'sdxl',
    label: 'Stable Diffusion XL',
    description: 'Versatile, detailed images. Honours negative prompts and seeds.',
    cloudflareModel: '@cf/stabilityai/stable-diffusion-xl-base-1.0',
    sizes: SDXL_SIZES,
    steps: { min: 1, max: 20, default: 20 },
    guidance: { min: 0, max: 20, default: 7.5 },
    negativePrompt: true,
    seed: true,
    sendsSize: true,
    stepsField: 'num_steps',
    response: 'binary',
    maxPromptLength: 2048,
  },
  {
    id: 'sdxl-lightning',
    label: 'SDXL Lightning',
    description: 'Fast SDXL variant: good images in very few steps.',
    cloudflareModel: '@cf/bytedance/stable-diffusion-xl-lightning',
    sizes: SDXL_SIZES,
    steps: { min: 1, max: 20, default: 8 },
    guidance: { min: 0, max: 20, default: 7.5 },
    negativePrompt: true,
    seed: true,
    sendsSize: true,
    stepsField: 'num_steps',
    response: 'binary',
    maxPromptLength: 2048,
  },
  {
    id: 'dreamshaper-8-lcm',
    label: 'DreamShaper 8 LCM',
    description: 'Stylised, painterly results; quick at low step counts.',
    cloudflareModel: '@cf/lykon/dreamshaper-8-lcm',
    sizes: SD15_SIZES,
    steps: { min: 1, max: 20, default: 8 },
    guidance: { min: 0, max: 20, default: 7.5 },
    negativePrompt: true,
    seed: true,
    sendsSize: true,
    stepsField: 'num_steps',
    response: 'binary',
    maxPromptLength: 2048,
  },
  {
    id: 'flux-1-schnell',
    label: 'FLUX.1 schnell',
    description: 'Strong prompt following and legible text. Square images only.',
    cloudflareModel: '@cf/black-forest-labs/flux-1-schnell',
    sizes: [{ width: 1024, height: 1024, label: 'Square 1:1' }],
    steps: { min: 1, max: 8, default: 4 },
    guidance: null,
    negativePrompt: false,
    // The current schema has no seed field and rejects unknown properties.
    seed: false,
    sendsSize: false,
    stepsField: 'steps',
    response: 'json-base64',
    maxPromptLength: 2048,
  },
  {
    id: 'lucid-origin',
    label: 'Leonardo Lucid Origin',
    description: 'Photorealistic, high-resolution images from Leonardo.',
    cloudflareModel: '@cf/leonardo/lucid-origin',
    sizes: [
      { width: 1120, height: 1120, label: 'Square 1:1' },
      { width: 1344, height: 896, label: 'Landscape 3:2' },
      { width: 896, height: 1344, label: 'Portrait 2:3' },
      { width: 1456, height: 816, label: 'Wide 16:9' },
      { width: 816, height: 1456, label: 'Tall 9:16' },
    ],
    steps: { min: 1, max: 40, default: 20 },
    guidance: { min: 0, max: 10, default: 4.5 },
    negativePrompt: false,
    seed: true,
    sendsSize: true,
    stepsField: 'num_steps',
    response: 'json-base64',
    maxPromptLength: 2048,
  },
];

export const DEFAULT_MODEL_ID = 'sdxl-lightning';

export function findModel(id: string): ModelSpec | undefined {
  return MODELS.find((m) => m.id === id);
}

export function isAllowedSize(model: ModelSpec, width: number, height: number): boolean {
  return model.sizes.some((s) => s.width === width && s.height === height);
}
