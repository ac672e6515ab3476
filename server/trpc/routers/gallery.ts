import { z } from 'zod';
import { authedProcedure, router } from '../init.ts';
import { GALLERY_PAGE_MAX } from '../../services/gallery.ts';
import { toImageDTO } from '../image-dto.ts';

const imageId = z.object({ id: z.string().min(1, 'Image id is required.').max(100, 'Image id is too long.') });

export const galleryRouter = router({
  list: authedProcedure
    .input(
      z
        .object({
          cursor: z.string().max(500, 'Cursor is too long.').nullish(),
          limit: z.number().int('Limit must be a whole number.').min(1, 'Limit must be at least 1.').max(GALLERY_PAGE_MAX, `Limit must be at most ${GALLERY_PAGE_MAX}.`).nullish(),
        })
        .optional(),
    )
    .query(async ({ ctx, input }) => {
      const page = await ctx.app.gallery.list(ctx.user.id, { cursor: input?.cursor ?? null, ...(input?.limit ? { limit: input.limit } : {}) });
      return { items: await Promise.all(page.items.map((image) => toImageDTO(image, ctx.app.blobs))), nextCursor: page.nextCursor };
    }),

  get: authedProcedure.input(imageId).query(async ({ ctx, input }) => toImageDTO(await ctx.app.gallery.get(ctx.user.id, input.id), ctx.app.blobs)),

  delete: authedProcedure.input(imageId).mutation(async ({ ctx, input }) => {
    await ctx.app.gallery.delete(ctx.user.id, input.id);
    return { ok: true as const };
  }),
});
