/**
 * electron-vite's `?modulePath` import: the path of a separately bundled entry (here the
 * scene import worker). Declared here because main/core does not load electron-vite's types.
 */
declare module '*?modulePath' {
  const path: string;
  export default path;
}
