/** What a conversion did to a service (a line of the report). */
export type ChangeCode =
  | 'read-only-added'
  | 'read-only-set'
  | 'read-only-overridden'
  | 'tmpfs-added'
  | 'tmpfs-to-list'
  | 'tmpfs-run-exec'
  | 'tmpfs-run-merged'
  | 'tmpfs-overridden'
  | 'env-removed'
  | 'env-emptied'
  | 'env-overridden'
  | 'shared-copied';

/** Something the user should know about a service; codes are stable (JSON, tests). */
export type WarningCode =
  | 'read-only-variable'
  | 'run-tmpfs-volume'
  | 'not-lsio-tested'
  | 'unknown-image'
  | 'companion-image'
  | 'image-caveat'
  | 'image-breaks'
  | 'image-variable'
  | 'non-root-user'
  | 'custom-services'
  | 'custom-init'
  | 'mods-disabled'
  | 'uid-changes'
  | 'umask-ignored'
  | 'mod-variables'
  | 'env-file'
  | 'extends'
  | 'override-undoes'
  | 'moot-setting'
  | 'swarm'
  | 'mount-path-variable';

export interface Change {
  code: ChangeCode;
  message: string;
  /** 1-based line in the input the change is about. */
  line: number;
}

export interface Warning {
  code: WarningCode;
  message: string;
  /** 1-based line in the input, where the warning is about one place. */
  line: number | null;
}

/** What happened to one selected service. */
export interface ServiceReport {
  name: string;
  /** 1-based line and column of the service's key (the column does not count a BOM). */
  line: number;
  column: number;
  /**
   * Whether Compose runs the service read-only after the conversion (false only where
   * `read_only` is a `${VAR}` left to run time, or the override file Compose merges over this
   * one sets it otherwise): `--check` fails on a false one.
   */
  readOnly: boolean;
  changes: Change[];
  warnings: Warning[];
}
