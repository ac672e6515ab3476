/** Input limits shared by the server's validation and the generator form (no imports, so islands stay small). */
export const MAX_PROMPT_LENGTH = 2000;
export const MAX_NEGATIVE_PROMPT_LENGTH = 1000;
export const MAX_SEED = 4_294_967_295;
export const MAX_COUNT = 4;
