// Eleventy 3 ships no type definitions; this declares the programmatic API that the tests
// and bench/build.ts use (src/Eleventy.js).
declare module "@11ty/eleventy" {
  export interface EleventyJsonResult {
    url: string | false;
    inputPath: string;
    outputPath: string | false;
    rawInput?: string;
    content: string;
  }

  export interface EleventyOptions {
    configPath?: string | false;
    quietMode?: boolean;
    runMode?: "build" | "serve" | "watch";
    config?: (eleventyConfig: unknown) => unknown;
  }

  export class Eleventy {
    constructor(input?: string, output?: string, options?: EleventyOptions);
    toJSON(): Promise<EleventyJsonResult[]>;
    write(): Promise<unknown>;
  }
}
