/** Style presets: words appended to the prompt, and a palette the local preview model uses. */
export const STYLE_IDS = ['none', 'photographic', 'cinematic', 'anime', 'digital-art', 'watercolor', 'line-art', 'isometric'] as const;
export type StyleId = (typeof STYLE_IDS)[number];

export interface StylePreset {
  id: StyleId;
  label: string;
  /** Appended to the prompt sent to the model. */
  suffix: string;
}

export const STYLES: Record<StyleId, StylePreset> = {
  none: { id: 'none', label: 'No style', suffix: '' },
  photographic: { id: 'photographic', label: 'Photographic', suffix: 'photograph, natural light, 35mm, sharp focus' },
  cinematic: { id: 'cinematic', label: 'Cinematic', suffix: 'cinematic still, dramatic lighting, shallow depth of field' },
  anime: { id: 'anime', label: 'Anime', suffix: 'anime illustration, clean line work, vibrant colours' },
  'digital-art': { id: 'digital-art', label: 'Digital art', suffix: 'digital painting, highly detailed, concept art' },
  watercolor: { id: 'watercolor', label: 'Watercolour', suffix: 'watercolour painting, soft washes, paper texture' },
  'line-art': { id: 'line-art', label: 'Line art', suffix: 'ink line art, monochrome, minimal' },
  isometric: { id: 'isometric', label: 'Isometric', suffix: 'isometric 3d render, soft shadows, miniature' },
};

export function applyStyle(prompt: string, style: StyleId): string {
  const suffix = STYLES[style].suffix;
  return suffix ? `${prompt}, ${suffix}` : prompt;
}
