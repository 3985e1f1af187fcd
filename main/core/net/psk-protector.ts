/**
 * Private-network protection for studio mode: every byte of a connection is encrypted
 * with a key only members hold, before Noise even starts, so a machine without the studio
 * key cannot complete a handshake. Both sides first prove they hold the key (an HMAC over
 * both nonces), which gives a clear "wrong studio key" instead of a garbled handshake.
 *
 * The proof and the stream keys carry the sender's role (initiator/responder): a peer that
 * echoes our nonce and our proof back (a reflection) cannot pass, since equal nonces are
 * refused and our own proof is labelled with the other role than the one we expect. Each
 * direction has its own key, so the two keystreams never repeat each other.
 *
 * Written instead of @libp2p/pnet because pnet's xsalsa20 WASM grows its memory on every
 * buffer and throws an uncaught RangeError (killing the process) after a few hundred MB
 * of traffic; this uses Node's native ChaCha20.
 */
import { createCipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Cipher } from 'node:crypto';
import type { AbortOptions, ConnectionProtector, MessageStream, MultiaddrConnection } from '@libp2p/interface';
import { AbstractMultiaddrConnection, byteStream } from '@libp2p/utils';
import type { SendResult } from '@libp2p/utils';
import type { Uint8ArrayList } from 'uint8arraylist';
import { NetError } from './errors';

const NONCE = 32;
const PROOF = 32;
const HANDSHAKE_TIMEOUT_MS = 3000;

function hmac(key: Uint8Array, ...parts: (string | Uint8Array)[]): Buffer {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Which end of the connection a party is: the dialler (initiator) or the listener (responder). */
export type PskRole = 'initiator' | 'responder';

/** What one party derives from the studio key and both nonces. */
export interface PskSession {
  /** The proof this party sends. */
  proof: Buffer;
  /** The proof it must receive from the other party. */
  expected: Buffer;
  /** ChaCha20 key for what this party sends. */
  sendKey: Buffer;
  /** ChaCha20 key for what it receives. */
  receiveKey: Buffer;
}

function other(role: PskRole): PskRole {
  return role === 'initiator' ? 'responder' : 'initiator';
}

/**
 * The proofs and per-direction keys of one connection, for the party in `role` with nonce
 * `local` facing `remote`. Throws when the nonces are equal: that only happens when a peer
 * reflects our own nonce back at us.
 */
export function pskSession(psk: Uint8Array, role: PskRole, local: Uint8Array, remote: Uint8Array): PskSession {
  if (Buffer.compare(Buffer.from(local), Buffer.from(remote)) === 0) {
    throw new NetError('NET_WRONG_STUDIO_KEY', 'The other machine echoed this machine\'s handshake back (a reflection); refused.');
  }
  // Every value names its sender's role first, then the sender's nonce, then the receiver's.
  const [initiatorNonce, responderNonce] = role === 'initiator' ? [local, remote] : [remote, local];
  const them = other(role);
  const proofOf = (r: PskRole) => hmac(psk, 'rayfarm-psk-v2/proof/', r, initiatorNonce, responderNonce);
  const keyOf = (r: PskRole) => hmac(psk, 'rayfarm-psk-v2/stream/', r, initiatorNonce, responderNonce);
  return { proof: proofOf(role), expected: proofOf(them), sendKey: keyOf(role), receiveKey: keyOf(them) };
}

function cipherFor(key: Uint8Array): Cipher {
  // A fresh key per direction and connection (the nonces are random), so a zero IV is safe.
  return createCipheriv('chacha20', key, Buffer.alloc(16));
}

class PskConnection extends AbstractMultiaddrConnection {
  constructor(
    private readonly inner: MultiaddrConnection,
    private readonly decrypt: Cipher,
    private readonly encrypt: Cipher,
  ) {
    super({ remoteAddr: inner.remoteAddr, direction: inner.direction, log: inner.log.newScope('psk'), inactivityTimeout: inner.inactivityTimeout });
    inner.addEventListener('message', (evt) => {
      const data = evt.data;
      if (data instanceof Uint8Array) this.onData(this.decrypt.update(data));
      else for (const b of data) this.onData(this.decrypt.update(b));
    });
    inner.addEventListener('drain', () => this.onMuxerDrain());
    inner.addEventListener('close', (evt) => {
      if (evt.error != null) {
        if (evt.local) this.abort(evt.error);
        else this.onRemoteReset();
      } else this.onTransportClosed();
    });
  }

  sendData(data: Uint8ArrayList): SendResult {
    const out = this.encrypt.update(data.subarray());
    return { sentBytes: data.byteLength, canSendMore: this.inner.send(out) };
  }

  sendReset(err: Error): void {
    this.inner.abort(err);
  }

  sendPause(): void {
    this.inner.pause();
  }

  sendResume(): void {
    this.inner.resume();
  }

  async sendClose(options?: AbortOptions): Promise<void> {
    await this.inner.close(options);
  }
}

class PskProtector implements ConnectionProtector {
  readonly [Symbol.toStringTag] = '@rayfarm/psk';

  constructor(private readonly psk: Uint8Array) {}

  async protect(connection: MessageStream, options?: AbortOptions): Promise<MessageStream> {
    // A peer without the key may never send 32 bytes: give up on it quickly.
    const timeout = AbortSignal.timeout(HANDSHAKE_TIMEOUT_MS);
    const signal = options?.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const bytes = byteStream(connection);
    const local = randomBytes(NONCE);
    const [remoteList] = await Promise.all([bytes.read({ bytes: NONCE, signal }), bytes.write(local, { signal })]);
    const remote = remoteList.subarray();
    const role: PskRole = connection.direction === 'outbound' ? 'initiator' : 'responder';
    let session: PskSession;
    try {
      session = pskSession(this.psk, role, local, remote);
    } catch (err) {
      (bytes.unwrap() as MultiaddrConnection).abort(err as Error);
      throw err;
    }
    const [theirList] = await Promise.all([bytes.read({ bytes: PROOF, signal }), bytes.write(session.proof, { signal })]);
    const inner = bytes.unwrap() as MultiaddrConnection;
    if (!timingSafeEqual(Buffer.from(theirList.subarray()), session.expected)) {
      const err = new NetError('NET_WRONG_STUDIO_KEY', 'The other machine does not hold this studio key.');
      inner.abort(err);
      throw err;
    }
    return new PskConnection(inner, cipherFor(session.receiveKey), cipherFor(session.sendKey));
  }
}

/** The connection protector for a studio network with this 32-byte key. */
export function studioKeyProtector(psk: Uint8Array): () => ConnectionProtector {
  if (psk.byteLength !== 32) throw new NetError('STUDIO_KEY_INVALID', 'A studio key has 32 bytes.');
  return () => new PskProtector(psk);
}
