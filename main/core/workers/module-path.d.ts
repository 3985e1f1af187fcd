/**
 * electron-vite's `?modulePath` import: the path of a separately bundled entry (here the
 * worker entries: the scene import and scene frame workers). Declared here because main/core does not load electron-vite's types.
 */
declare module '*?modulePath' {
  const path: string;
  export default path;
}
