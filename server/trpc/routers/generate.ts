import { authedProcedure, router } from '../init.ts';
import { generateInput } from '../../domain/generate-input.ts';
import { toImageDTO } from '../image-dto.ts';

export const generateRouter = router({
  create: authedProcedure.input(generateInput).mutation(async ({ ctx, input }) => {
    const result = await ctx.app.generation.create(ctx.user.id, input, { clientAddress: ctx.clientAddress });
    return { images: await Promise.all(result.images.map((image) => toImageDTO(image, ctx.app.blobs))), failed: result.failed };
  }),
});
