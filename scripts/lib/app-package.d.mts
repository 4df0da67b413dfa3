// Types for app-package.mjs (imported by the tests in test/ship/).
export interface IconSpec {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly outline: boolean;
}
export declare const PACKAGE_ICONS: readonly IconSpec[];
export type PackageErrorCode = 'unset_variables' | 'bad_value' | 'icon_missing' | 'icon_size' | 'icon_not_outline' | 'bad_manifest';
export declare class PackageError extends Error {
  constructor(code: PackageErrorCode, message: string, details?: string[]);
  readonly code: PackageErrorCode;
  readonly details: string[];
}
export declare function parseEnvFile(text: string): Record<string, string>;
export declare function loadEnv(root: string, env: string, processEnv?: Record<string, string>): Record<string, string>;
export declare function placeholderNames(template: string): string[];
export declare function fillPlaceholders(
  template: string,
  vars: Record<string, string | undefined>,
  options: { source: string; escape?: (value: string) => string },
): string;
export declare function checkIcon(path: string, spec: IconSpec): { width: number; height: number };
export interface AppPackage {
  zipPath: string;
  manifestPath: string;
  xmlPath: string;
  manifest: Record<string, unknown>;
  xml: string;
  files: string[];
}
export declare function buildAppPackage(options: {
  root: string;
  env: string;
  vars?: Record<string, string | undefined>;
  processEnv?: Record<string, string | undefined>;
  manifestDir?: string;
  outDir?: string;
}): Promise<AppPackage>;
