// A `.wasm` import is a compiled WebAssembly.Module: wrangler bundles the file as a module (its
// CompiledWasm rule), which workerd compiles when the Worker starts; the Workers test pool does
// the same for tests.
declare module '*.wasm' {
  const compiled: WebAssembly.Module
  export default compiled
}
