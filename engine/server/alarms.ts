// Alarms raised on members (NOSPACE when the backend outgrows its quota, CORRUPT when hashes disagree),
// applied from the log so every member agrees, and kept in the 'alarm' bucket so they survive restarts.
import type { ReadTx, WriteTx } from '../storage/backend/backend.ts';

/** etcd's alarm types (AlarmType in rpc.proto). */
export enum AlarmType {
  None = 0,
  NoSpace = 1,
  Corrupt = 2,
}

/** An alarm type's name as etcd prints it (NOSPACE, CORRUPT, NONE). */
export function alarmName(type: AlarmType): string {
  return type === AlarmType.NoSpace ? 'NOSPACE' : type === AlarmType.Corrupt ? 'CORRUPT' : 'NONE';
}

/** One raised alarm. */
export interface Alarm {
  memberId: bigint;
  type: AlarmType;
}

function alarmKey(alarm: Alarm): Buffer {
  const key = Buffer.alloc(9);
  key.writeBigUInt64BE(alarm.memberId);
  key.writeUInt8(alarm.type, 8);
  return key;
}

/** The raised alarms, cached in memory for the hot write path. */
export class AlarmStore {
  private alarms: Alarm[] = [];

  /** Loads alarms from the backend. */
  load(tx: ReadTx): void {
    this.alarms = [];
    for (const entry of tx.range('alarm', Buffer.alloc(0))) {
      const key = Buffer.from(entry.key);
      this.alarms.push({ memberId: key.readBigUInt64BE(0), type: key.readUInt8(8) as AlarmType });
    }
  }

  /** Raises an alarm; returns it, or undefined if it was already raised. */
  activate(tx: WriteTx, alarm: Alarm): Alarm | undefined {
    if (this.alarms.some((raised) => raised.memberId === alarm.memberId && raised.type === alarm.type)) return undefined;
    tx.put('alarm', alarmKey(alarm), Buffer.from([1]));
    this.alarms.push(alarm);
    return alarm;
  }

  /** Clears an alarm; returns it, or undefined if it was not raised. */
  deactivate(tx: WriteTx, alarm: Alarm): Alarm | undefined {
    const index = this.alarms.findIndex((raised) => raised.memberId === alarm.memberId && raised.type === alarm.type);
    if (index < 0) return undefined;
    tx.delete('alarm', alarmKey(alarm));
    return this.alarms.splice(index, 1)[0];
  }

  /** Raised alarms, optionally of one type. */
  list(type: AlarmType = AlarmType.None): Alarm[] {
    return type === AlarmType.None ? [...this.alarms] : this.alarms.filter((alarm) => alarm.type === type);
  }

  /** Whether any alarm of `type` is raised. */
  has(type: AlarmType): boolean {
    return this.alarms.some((alarm) => alarm.type === type);
  }
}
