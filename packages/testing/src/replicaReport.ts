import type { BffOptions, EndReason } from '@bff/fastify-bff';

/** What a replica process (replicaProcess.ts) starts from: the BFF options that cross a process boundary. */
export interface ReplicaSpec {
  port: number;
  options: Omit<BffOptions, 'tokenEncryptionKeys' | 'clock' | 'hooks' | 'sessionStore' | 'refreshCoordinator'>;
  /** base64 */
  tokenEncryptionKeys: string[];
}

/** What a replica process tells its parent. `session` is a short id (six characters), as in the BFF's events. */
export type ReplicaReport =
  | { type: 'listening' }
  | { type: 'grant'; session: string }
  | { type: 'ended'; session: string; reason: EndReason }
  | { type: 'lock'; session: string; held: boolean };
