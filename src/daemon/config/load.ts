// Placeholder: the loader (TOML file -> DaemonConfig, every tunnel validated) is being written.
import { ConfigFileError, type DaemonConfig } from './types.js';

export function loadDaemonConfig(path: string): DaemonConfig {
  throw new ConfigFileError(path, null, 'the configuration loader is not written yet');
}
