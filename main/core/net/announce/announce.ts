import { TopicValidatorResult } from '@libp2p/gossipsub';
import type { Message } from '@libp2p/gossipsub';
import type { PeerId } from '@libp2p/interface';
import { canonicalJson } from '../canonical';
import { decodeJson, encodeJson } from '../codec';
import { NetError } from '../errors';
import { recoverSigner, verifyBinding } from '../identity';
import type { NodeSigner } from '../identity';
import type { NetNode } from '../net-node';
import { offenceOf } from '../rpc';
import {
  ANNOUNCE_RATE,
  ANNOUNCE_TOPIC,
  CREATOR_ANNOUNCE_RATE,
  MAX_ANNOUNCED_JOBS,
  MAX_ANNOUNCEMENT_BYTES,
  MAX_ANNOUNCEMENT_LIFETIME_MS,
  MAX_CLOCK_SKEW_MS,
  MAX_JOBS_PER_CREATOR,
} from './constants';
import type { Announcement, UnsignedAnnouncement } from './messages';
import { AnnouncementSchema } from './messages';

function claim(a: UnsignedAnnouncement): string {
  return `Rayfarm announcement v1\n${canonicalJson(a)}`;
}

/** Signs an announcement with the creator's bound signer. */
export async function signAnnouncement(signer: NodeSigner, unsigned: UnsignedAnnouncement): Promise<Announcement> {
  return { ...unsigned, signature: await signer.signMessage(claim(unsigned)) };
}

/** How many announcements a node keeps; tests shrink them. */
export interface AnnounceLimits {
  perCreator: number;
  total: number;
}

/** The key of a job: its creator's peer id and its id, so nobody can squat another creator's job id. */
function keyOf(a: Announcement): string {
  return `${a.creator.peerId}/${a.jobId}`;
}

/**
 * Job announcements on gossipsub. Every message is size-checked, schema-checked, and
 * must be signed by the address bound to the peer that published it; anything else is
 * rejected (gossipsub then scores the forwarding peer down, and so does our guard).
 *
 * The state is bounded: at most `perCreator` open jobs per creator and `total` in all (the
 * least recently refreshed goes first; creators refresh theirs every few seconds), expiry
 * at most MAX_ANNOUNCEMENT_LIFETIME_MS ahead, and a rate per originating creator as well
 * as per forwarding peer. Jobs are keyed by creator and job id.
 */
export class AnnounceProtocol {
  /** In least-recently-refreshed-first order (an update moves an entry to the end). */
  private readonly jobs = new Map<string, Announcement>();
  private readonly perCreator = new Map<string, number>();
  private readonly listeners = new Set<(a: Announcement) => void>();
  private readonly onMessage = (evt: CustomEvent<Message>): void => {
    if (evt.detail.topic !== ANNOUNCE_TOPIC) return;
    try {
      this.accept(decodeJson(evt.detail.data, AnnouncementSchema, MAX_ANNOUNCEMENT_BYTES));
    } catch {
      // Already judged by the validator; a message that gets here parsed once.
    }
  };

  constructor(
    private readonly node: NetNode,
    private readonly now: () => number = Date.now,
    private readonly limits: AnnounceLimits = { perCreator: MAX_JOBS_PER_CREATOR, total: MAX_ANNOUNCED_JOBS },
  ) {}

  start(): void {
    const pubsub = this.node.pubsub;
    pubsub.topicValidators.set(ANNOUNCE_TOPIC, (from: PeerId, msg: Message) => this.validate(from, msg));
    pubsub.addEventListener('message', this.onMessage);
    pubsub.subscribe(ANNOUNCE_TOPIC);
  }

  stop(): void {
    const pubsub = this.node.pubsub;
    pubsub.removeEventListener('message', this.onMessage);
    pubsub.topicValidators.delete(ANNOUNCE_TOPIC);
    try {
      pubsub.unsubscribe(ANNOUNCE_TOPIC);
    } catch {
      // Stopping: gossipsub may already be down.
    }
  }

  private validate(from: PeerId, msg: Message): TopicValidatorResult {
    const peer = from.toString();
    if (!this.node.guard.allow(peer, ANNOUNCE_TOPIC, ANNOUNCE_RATE)) return TopicValidatorResult.Ignore;
    try {
      if (msg.type !== 'signed') throw new NetError('NET_BAD_MESSAGE', 'Announcements must be signed.');
      const a = decodeJson(msg.data, AnnouncementSchema, MAX_ANNOUNCEMENT_BYTES);
      this.check(a, msg.from.toString());
      // Gossip reaches everyone, so the forwarding peer's limit alone lets one creator flood
      // the whole network through many neighbours: its own announcements are limited too.
      if (!this.node.guard.allow(a.creator.peerId, `${ANNOUNCE_TOPIC}/origin`, CREATOR_ANNOUNCE_RATE)) return TopicValidatorResult.Ignore;
      return TopicValidatorResult.Accept;
    } catch (err) {
      const offence = offenceOf(err) ?? 'malformed';
      this.node.guard.penalize(peer, offence, `announcement: ${(err as Error).message}`);
      return TopicValidatorResult.Reject;
    }
  }

  /** Throws unless the announcement is signed by its creator's bound address and current. */
  check(a: Announcement, publisher: string): void {
    const address = verifyBinding(a.creator, publisher);
    const { signature, ...rest } = a;
    if (recoverSigner(claim(rest), signature) !== address) throw new NetError('NET_BAD_SIGNATURE', 'The announcement is not signed by its creator.');
    if (a.creator.mode !== this.node.mode) throw new NetError('NET_BAD_MESSAGE', 'The announcement is for another network mode.');
    const now = this.now();
    if (a.createdAt > now + MAX_CLOCK_SKEW_MS) throw new NetError('NET_BAD_MESSAGE', 'The announcement is dated in the future.');
    if (a.expiresAt < now - MAX_CLOCK_SKEW_MS) throw new NetError('NET_BAD_MESSAGE', 'The announcement has expired.');
    if (a.expiresAt > now + MAX_ANNOUNCEMENT_LIFETIME_MS) throw new NetError('NET_BAD_MESSAGE', 'The announcement claims to stay valid too long.');
    if (a.expiresAt < a.createdAt) throw new NetError('NET_BAD_MESSAGE', 'The announcement expires before it was made.');
  }

  /** Checks an announcement that arrived from `publisher` and keeps it (the validator's and the message handler's work in one call). */
  receive(a: Announcement, publisher: string): void {
    this.check(a, publisher);
    this.accept(a);
  }

  private accept(a: Announcement): void {
    const key = keyOf(a);
    const prev = this.jobs.get(key);
    if (prev && prev.seq >= a.seq) return;
    const creator = a.creator.peerId;
    const own = creator === this.node.peerId;
    if (a.state === 'closed') {
      if (prev) this.drop(key, prev);
    } else if (prev) {
      this.jobs.delete(key);
      this.jobs.set(key, a);
    } else {
      this.expire();
      if (!own && (this.perCreator.get(creator) ?? 0) >= this.limits.perCreator) return;
      if (!own && this.jobs.size >= this.limits.total) this.evictOldest();
      if (!own && this.jobs.size >= this.limits.total) return;
      this.jobs.set(key, a);
      this.perCreator.set(creator, (this.perCreator.get(creator) ?? 0) + 1);
      if (!own) void this.node.addAddresses(creator, a.addrs).catch(() => undefined);
    }
    for (const l of this.listeners) l(a);
  }

  private drop(key: string, a: Announcement): void {
    this.jobs.delete(key);
    const n = (this.perCreator.get(a.creator.peerId) ?? 1) - 1;
    if (n > 0) this.perCreator.set(a.creator.peerId, n);
    else this.perCreator.delete(a.creator.peerId);
  }

  /** Drops the least recently refreshed announcement of another creator. */
  private evictOldest(): void {
    for (const [key, a] of this.jobs) {
      if (a.creator.peerId === this.node.peerId) continue;
      this.drop(key, a);
      return;
    }
  }

  private expire(): void {
    const now = this.now();
    for (const [key, a] of this.jobs) if (a.expiresAt < now) this.drop(key, a);
  }

  /** Signs and publishes an announcement of ours; local listeners hear it too. */
  async publish(a: Omit<UnsignedAnnouncement, 'v' | 'creator' | 'addrs'>): Promise<Announcement> {
    const unsigned: UnsignedAnnouncement = { v: 1, ...a, creator: this.node.ownBinding, addrs: this.node.listenAddrs().slice(0, 16) };
    const signed = await signAnnouncement(this.node.signer, unsigned);
    const bytes = encodeJson(signed);
    if (bytes.byteLength > MAX_ANNOUNCEMENT_BYTES) throw new NetError('NET_TOO_LARGE', 'The announcement is too large.');
    this.accept(signed);
    await this.node.pubsub.publish(ANNOUNCE_TOPIC, bytes);
    return signed;
  }

  /** Calls `fn` for each new or updated announcement (including our own). */
  onAnnouncement(fn: (a: Announcement) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Open jobs heard of and not expired, least recently refreshed first. */
  list(): Announcement[] {
    this.expire();
    return [...this.jobs.values()];
  }
}
