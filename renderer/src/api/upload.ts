/** A file picked or dropped, with its path inside the dropped folder. */
export interface PickedFile {
  file: File;
  /** e.g. "scene/textures/wood.png"; just the name for a single file. */
  relativePath: string;
}

/** How a scene reaches the core: a path (desktop) or an upload id (browser). */
export type SceneSource = { path: string } | { uploadId: string };

function randomId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function token(): string {
  return new URLSearchParams(window.location.search).get('token') ?? sessionStorage.getItem('rayfarm.token') ?? '';
}

/** The download address of something the core registered (headless only). */
export function downloadUrl(kind: string, ...segments: string[]): string {
  return `/download/${[kind, ...segments].map(encodeURIComponent).join('/')}?token=${encodeURIComponent(token())}`;
}

function uploadOne(uploadId: string, f: PickedFile, onBytes: (n: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const q = new URLSearchParams({ token: token(), upload: uploadId, name: f.relativePath });
    xhr.open('POST', `/upload?${q.toString()}`);
    xhr.upload.onprogress = (e) => onBytes(e.loaded);
    xhr.onload = () => {
      if (xhr.status === 200) return resolve();
      let message = `The upload of ${f.relativePath} failed (HTTP ${xhr.status}).`;
      try {
        message = (JSON.parse(xhr.responseText) as { message?: string }).message ?? message;
      } catch {
        // Not JSON: keep the generic sentence.
      }
      reject(new Error(message));
    };
    xhr.onerror = () => reject(new Error(`The upload of ${f.relativePath} failed: the connection to Rayfarm was lost.`));
    xhr.send(f.file);
  });
}

/**
 * Hands a dropped scene to the core. In Electron the bridge gives the real path of the
 * file (or of the folder holding a .gltf); in a browser the files are uploaded first,
 * with progress from 0 to 1.
 */
export async function sendScene(files: PickedFile[], onProgress: (fraction: number) => void): Promise<SceneSource> {
  const bridge = window.rayfarm;
  if (bridge?.pathForFile && files.length > 0) {
    const first = files[0]!;
    const path = bridge.pathForFile(first.file);
    if (path) {
      onProgress(1);
      if (files.length === 1) return { path };
      // A folder was dropped: the path of its first file, minus its relative part.
      const rel = first.relativePath.split('/').slice(1).join('/');
      return { path: rel ? path.slice(0, path.length - rel.length - 1) : path };
    }
  }
  const uploadId = randomId();
  const total = files.reduce((n, f) => n + f.file.size, 0) || 1;
  let done = 0;
  for (const f of files) {
    await uploadOne(uploadId, f, (n) => onProgress(Math.min(1, (done + n) / total)));
    done += f.file.size;
    onProgress(done / total);
  }
  return { uploadId };
}

/** Reads every file of a drop, walking dropped folders (webkitGetAsEntry). */
export async function filesFromDrop(dt: DataTransfer): Promise<PickedFile[]> {
  const entries = Array.from(dt.items)
    .map((i) => i.webkitGetAsEntry?.())
    .filter((e): e is FileSystemEntry => !!e);
  if (entries.length === 0) return Array.from(dt.files, (file) => ({ file, relativePath: file.name }));
  const out: PickedFile[] = [];
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
      out.push({ file, relativePath: prefix + entry.name });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      }
    }
  };
  for (const e of entries) await walk(e, '');
  return out;
}

/** Files from an <input type=file> (webkitdirectory gives relative paths). */
export function filesFromInput(list: FileList): PickedFile[] {
  return Array.from(list, (file) => ({ file, relativePath: file.webkitRelativePath || file.name }));
}
