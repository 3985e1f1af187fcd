import { TopicValidatorResult } from '@libp2p/gossipsub';
import type { Message } from '@libp2p/gossipsub';
import type { PeerId } from '@libp2p/interface';
import { canonicalJson } from '../canonical';
import { decodeJson, encodeJson } from '../codec';
import { NetError } from '../errors';
import { recoverSigner, verifyBinding } from '../identity';
import type { NetNode } from '../net-node';
import { offenceOf } from '../rpc';
import { ANNOUNCE_RATE, ANNOUNCE_TOPIC, MAX_ANNOUNCEMENT_BYTES, MAX_CLOCK_SKEW_MS } from './constants';
import type { Announcement, UnsignedAnnouncement } from './messages';
import { AnnouncementSchema } from './messages';

function claim(a: UnsignedAnnouncement): string {
  return `Rayfarm announcement v1\n${canonicalJson(a)}`;
}

/**
 * Job announcements on gossipsub. Every message is size-checked, schema-checked, and
 * must be signed by the address bound to the peer that published it; anything else is
 * rejected (gossipsub then scores the forwarding peer down, and so does our guard).
 */
export class AnnounceProtocol {
  private readonly jobs = new Map<string, Announcement>();
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
  }

  private accept(a: Announcement): void {
    const prev = this.jobs.get(a.jobId);
    if (prev && (prev.creator.peerId !== a.creator.peerId || prev.seq >= a.seq)) return;
    if (a.state === 'closed') this.jobs.delete(a.jobId);
    else this.jobs.set(a.jobId, a);
    if (a.creator.peerId !== this.node.peerId) void this.node.addAddresses(a.creator.peerId, a.addrs).catch(() => undefined);
    for (const l of this.listeners) l(a);
  }

  /** Signs and publishes an announcement of ours; local listeners hear it too. */
  async publish(a: Omit<UnsignedAnnouncement, 'v' | 'creator' | 'addrs'>): Promise<Announcement> {
    const unsigned: UnsignedAnnouncement = { v: 1, ...a, creator: this.node.ownBinding, addrs: this.node.listenAddrs().slice(0, 16) };
    const signed: Announcement = { ...unsigned, signature: await this.node.signer.signMessage(claim(unsigned)) };
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

  /** Open jobs heard of and not expired. */
  list(): Announcement[] {
    const now = this.now();
    for (const [id, a] of this.jobs) if (a.expiresAt < now) this.jobs.delete(id);
    return [...this.jobs.values()];
  }
}
