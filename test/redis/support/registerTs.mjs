// `node --import ./registerTs.mjs`: installs the TypeScript hooks of tsLoader.mjs.
import { register } from "node:module";

register("./tsLoader.mjs", import.meta.url);
