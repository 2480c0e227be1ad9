/** Vite's `?url` imports (in the browser tests): the URL the dev server serves the file at. */
declare module '*?url' {
  const url: string;
  export default url;
}
