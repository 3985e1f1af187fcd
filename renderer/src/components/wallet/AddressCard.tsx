import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import { useAction } from '../../hooks/use-action';
import { useStore } from '../../state/store';

/** The wallet's address with copy, a QR code to receive tokens, and lock. */
export function AddressCard({ address }: { address: string }) {
  const loadWallet = useStore((s) => s.loadWallet);
  const [qr, setQr] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const lock = useAction(async () => {
    await api.call('wallet.lock');
    await loadWallet();
  });
  useEffect(() => {
    let live = true;
    void QRCode.toString(address, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }).then((svg) => {
      if (live) setQr(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`);
    });
    return () => {
      live = false;
    };
  }, [address]);
  return (
    <section className="card" data-testid="wallet-address">
      <h2>Your address</h2>
      <div className="address-row">
        {qr && <img className="qr" src={qr} alt={`QR code of ${address}`} width={120} height={120} />}
        <div>
          <p className="mono address" data-testid="wallet-address-text">
            {address}
          </p>
          <div className="row">
            <button
              type="button"
              className="btn"
              onClick={() => {
                void navigator.clipboard?.writeText(address).then(() => setCopied(true));
              }}
            >
              {copied ? 'Copied' : 'Copy address'}
            </button>
            <button type="button" className="btn" onClick={() => void lock.run()} disabled={lock.busy} data-testid="wallet-lock">
              Lock
            </button>
          </div>
        </div>
      </div>
    </section>
  );
}
