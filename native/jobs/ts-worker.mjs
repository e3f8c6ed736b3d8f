// Starts a TypeScript worker when the engine runs from sources (tests, tsx). Built code never uses it.
import { tsImport } from 'tsx/esm/api';

await tsImport(process.argv[process.argv.length - 1], import.meta.url);
