import type { Readable } from 'node:stream';

/** A file the headless UI may download (a frame, a zip of frames, a CSV). */
export interface Download {
  /** File name offered to the browser. */
  name: string;
  contentType: string;
  size?: number;
  open(): Readable;
}

/** Resolves the path after `/download/<kind>/` to a download, or undefined when none. */
export type DownloadResolver = (segments: string[]) => Promise<Download | undefined> | Download | undefined;

/**
 * What the headless server may hand out, by kind (`job`, `blob`, …). Services register
 * their resolvers; nothing outside these is reachable, so no path from a URL ever reaches
 * the file system directly.
 */
export class DownloadRegistry {
  private readonly resolvers = new Map<string, DownloadResolver>();

  register(kind: string, resolver: DownloadResolver): void {
    this.resolvers.set(kind, resolver);
  }

  async resolve(kind: string, segments: string[]): Promise<Download | undefined> {
    const r = this.resolvers.get(kind);
    return r ? r(segments) : undefined;
  }
}
