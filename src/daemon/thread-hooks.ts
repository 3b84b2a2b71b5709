import type { Journal } from '../xfr/journal.js';
import { aclAllows, type AclEntry, type Requester } from '../xfr/acl.js';
import type { TransferHooks, TsigFailure } from '../server/transfer-hooks.js';
import type { TsigKey } from '../tsig/index.js';
import type { Name } from '../wire/index.js';
import type { Zone } from '../zone/index.js';
import { keyId, tsigKeyTable } from './tsig-key-table.js';
import type { ThreadSettings } from './serving-thread-messages.js';

/**
 * The transfer hooks of a serving thread (issue 16 §3). Transfers, NOTIFY
 * and every opcode but QUERY never reach its responder: the listener
 * passes them to the main thread (owner-relay.ts). What is left is what a
 * plain query needs: TSIG keys for signed queries, the allow-transfer of
 * the zones answered only to whom it admits (catalog zones, RFC 9432 §7),
 * and the TSIG failures, reported to the main thread for its audit log.
 */
export class ThreadHooks implements TransferHooks {
  readonly #keys: Map<string, TsigKey>;
  readonly #acls: Map<string, AclEntry[]>;
  readonly #tsigFailed: (info: TsigFailure) => void;

  constructor(settings: ThreadSettings, tsigFailed: (info: TsigFailure) => void) {
    this.#keys = tsigKeyTable(settings.keys);
    this.#acls = new Map(settings.restrictedAcls);
    this.#tsigFailed = tsigFailed;
  }

  key(name: Name): TsigKey | undefined {
    return this.#keys.get(keyId(name.toText()));
  }

  mayTransfer(zone: Zone, who: Requester): boolean {
    const acl = this.#acls.get(zone.origin.key);
    return acl !== undefined && aclAllows(acl, who);
  }

  journal(): Journal | null {
    return null;
  }

  /** Not reached (NOTIFY is relayed); were it, the main thread's answer is the one that counts. */
  notify(): 'accepted' | 'refused' | 'notauth' {
    return 'notauth';
  }

  /** Not reached: transfers are relayed. */
  transferred(): void {}

  tsigFailed(info: TsigFailure): void {
    this.#tsigFailed(info);
  }
}
