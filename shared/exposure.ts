/**
 * When a picture reads as black or white to a person: the mean of Rec. 709 luminance over its
 * 8-bit sRGB pixels (0–255). The preview's dark/bright warning measures rendered previews with
 * it, and the `auto` environment rule predicts it before rendering (main/core/engine).
 */

/** Below this mean a frame reads as black (the helmet lit only by its emissive decals averaged about 1). */
export const DARK_MEAN = 16;
/** Above this mean a frame reads as white. */
export const BRIGHT_MEAN = 240;
