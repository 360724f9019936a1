// Types of shared-corpus.mjs (a plain module so that scripts/bench.mjs can import it too).
export declare const SHARED_CORPUS_DIR: string;
export declare const CORPUS_SETS: readonly string[];
export declare const sharedCorpusPresent: boolean;
export declare const sharedCorpusMissing: string | null;
export declare function sharedCorpusTestsRun(who: string, what: string): boolean;
export declare function corpusFiles(sets?: readonly string[]): string[];
export declare function allCorpusFiles(): string[];
export declare function corpusSample(size: number, sets?: readonly string[]): string[];
