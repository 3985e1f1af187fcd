/**
 * The parts of the `draco3dgltf` package (Google's Draco decoder and encoder as WebAssembly,
 * CommonJS, no types of its own) that Rayfarm uses: creating a module to hand to
 * @gltf-transform as its `draco3d.decoder` / `draco3d.encoder` dependency.
 */
declare module 'draco3dgltf' {
  const draco3d: {
    createDecoderModule(options?: object): Promise<unknown>;
    createEncoderModule(options?: object): Promise<unknown>;
  };
  export default draco3d;
}
