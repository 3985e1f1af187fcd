import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobEscrowAbi, jobEscrowBytecode, renderTokenAbi, renderTokenBytecode } from '../../../../contracts/generated';
import { connectChain } from '../../../../main/core/chain/network';
import { openChain } from '../../../../main/core/chain/chain-service';
import { deploy, startTestChain } from '../../../contracts/fixture';
import type { TestChain } from '../../../contracts/fixture';

let chain: TestChain;
let token: string;
let escrow: string;
let otherToken: string;

beforeAll(async () => {
  chain = await startTestChain();
  const d = chain.accounts[0]!;
  token = await deploy(d, renderTokenAbi, renderTokenBytecode);
  otherToken = await deploy(d, renderTokenAbi, renderTokenBytecode);
  escrow = await deploy(d, jobEscrowAbi, jobEscrowBytecode, token, chain.accounts[1]!.address, 60);
});
afterAll(async () => {
  await chain?.stop();
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('connectChain', () => {
  it('connectChain: accepts the right chain id and contracts', async () => {
    const c = await connectChain({ rpcUrl: chain.anvil.rpcUrl, chainId: 31337, token, escrow, fromBlock: 1 });
    expect(c.isDevChain).toBe(true);
    expect(c.fromBlock).toBe(1);
    expect(await c.token.symbol()).toBe('RFT');
    c.close();
  });

  it('connectChain: a wrong chain id is CHAIN_WRONG_ID', async () => {
    await expect(connectChain({ rpcUrl: chain.anvil.rpcUrl, chainId: 8453, token, escrow })).rejects.toMatchObject({
      code: 'CHAIN_WRONG_ID',
      details: { expected: 8453, actual: 31337 },
    });
  });

  it('connectChain: no code at an address is CHAIN_NO_CONTRACT naming which', async () => {
    const nobody = Wallet.createRandom().address;
    await expect(connectChain({ rpcUrl: chain.anvil.rpcUrl, chainId: 31337, token: nobody, escrow })).rejects.toMatchObject({
      code: 'CHAIN_NO_CONTRACT',
      details: { what: 'token' },
    });
    await expect(connectChain({ rpcUrl: chain.anvil.rpcUrl, chainId: 31337, token, escrow: nobody })).rejects.toMatchObject({
      code: 'CHAIN_NO_CONTRACT',
      details: { what: 'escrow' },
    });
    // code, but not an escrow
    await expect(connectChain({ rpcUrl: chain.anvil.rpcUrl, chainId: 31337, token, escrow: otherToken })).rejects.toMatchObject({ code: 'CHAIN_NO_CONTRACT' });
  });

  it('connectChain: an escrow for another token is CHAIN_WRONG_TOKEN', async () => {
    await expect(connectChain({ rpcUrl: chain.anvil.rpcUrl, chainId: 31337, token: otherToken, escrow })).rejects.toMatchObject({ code: 'CHAIN_WRONG_TOKEN' });
  });

  it('connectChain: nothing listening is CHAIN_UNREACHABLE, fast', async () => {
    const rpcUrl = `http://127.0.0.1:${await closedPort()}`;
    await expect(connectChain({ rpcUrl, chainId: 31337, token, escrow })).rejects.toMatchObject({ code: 'CHAIN_UNREACHABLE' });
  });

  it('connectChain: bad settings are CHAIN_BAD_CONFIG', async () => {
    await expect(connectChain({ rpcUrl: 'not a url', chainId: 31337, token, escrow: '0x1234' })).rejects.toMatchObject({ code: 'CHAIN_BAD_CONFIG' });
  });

  it('openChain: a configured network is used as is (no dev chain)', async () => {
    const opened = await openChain({ dataDir: '/nonexistent', network: { rpcUrl: chain.anvil.rpcUrl, chainId: 31337, token, escrow } });
    expect(opened.devChain).toBeUndefined();
    expect(opened.connection.escrow.address).toBe(escrow);
    await opened.stop();
  });
});
