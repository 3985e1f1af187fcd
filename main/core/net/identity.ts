/**
 * Who a node is. Its libp2p key (the peer id) is kept in the data folder; its wallet
 * address (public mode) or node key (studio mode) signs a binding record that ties the
 * two, so a peer id's claims — announcements, results — can be pinned on an address.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { Wallet, verifyMessage } from 'ethers';
import { z } from 'zod';
import { NetError } from './errors';

/** Signs with an Ethereum key; the app's wallet and ethers' Wallet both fit. */
export interface NodeSigner {
  readonly address: string;
  signMessage(message: string): Promise<string>;
}

/** The network a node is on: a private studio farm or the public network. */
export type NetMode = 'studio' | 'public';

/** A peer id bound to an address by that address's signature. */
export const BindingSchema = z
  .object({
    v: z.literal(1),
    peerId: z.string().min(1).max(128),
    address: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    mode: z.enum(['studio', 'public']),
    issuedAt: z.number().int().nonnegative(),
    signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/),
  })
  .strict();
export type Binding = z.infer<typeof BindingSchema>;

function bindingMessage(b: Omit<Binding, 'signature' | 'v'>): string {
  return `Rayfarm node binding v1\npeer: ${b.peerId}\naddress: ${b.address.toLowerCase()}\nmode: ${b.mode}\nissued: ${b.issuedAt}`;
}

/** Signs a binding record for this node. */
export async function createBinding(signer: NodeSigner, peerId: string, mode: NetMode, issuedAt = Date.now()): Promise<Binding> {
  const base = { peerId, address: signer.address, mode, issuedAt };
  return { v: 1, ...base, signature: await signer.signMessage(bindingMessage(base)) };
}

/** Checks a binding's signature and that it names `peerId`; returns the bound address (lower case). */
export function verifyBinding(b: Binding, peerId: string): string {
  if (b.peerId !== peerId) throw new NetError('NET_BAD_BINDING', 'The binding names another peer.');
  let who: string;
  try {
    who = verifyMessage(bindingMessage(b), b.signature);
  } catch {
    throw new NetError('NET_BAD_BINDING', 'The binding signature is malformed.');
  }
  if (who.toLowerCase() !== b.address.toLowerCase()) throw new NetError('NET_BAD_BINDING', 'The binding is not signed by the address it names.');
  return who.toLowerCase();
}

/** A signed claim: `message` signed by the address of a verified binding. */
export function recoverSigner(message: string, signature: string): string {
  try {
    return verifyMessage(message, signature).toLowerCase();
  } catch {
    throw new NetError('NET_BAD_SIGNATURE', 'The signature is malformed.');
  }
}

function writeSecret(file: string, data: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  renameSync(tmp, file);
  try {
    chmodSync(file, 0o600);
  } catch {
    // Not every file system has modes (Windows); the data folder is the user's own.
  }
}

/** Loads (or creates on first start) the node's libp2p key from `<dataDir>/net/peer.key`. */
export async function loadPeerKey(dataDir: string): Promise<PrivateKey> {
  const file = join(dataDir, 'net', 'peer.key');
  if (existsSync(file)) {
    try {
      return privateKeyFromProtobuf(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'));
    } catch (err) {
      throw new NetError('NET_PEER_KEY_INVALID', `The node key ${file} is damaged; move it aside to make a new one.`, { cause: err });
    }
  }
  const key = await generateKeyPair('Ed25519');
  writeSecret(file, Buffer.from(privateKeyToProtobuf(key)).toString('base64'));
  return key;
}

/** The studio-mode signer: an Ethereum key of this node alone, kept in `<dataDir>/net/node-signer.key`. */
export function loadNodeSigner(dataDir: string): NodeSigner {
  const file = join(dataDir, 'net', 'node-signer.key');
  if (existsSync(file)) return new Wallet(readFileSync(file, 'utf8').trim());
  const w = Wallet.createRandom();
  writeSecret(file, w.privateKey);
  return new Wallet(w.privateKey);
}
