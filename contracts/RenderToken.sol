// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title RenderToken
/// @notice Rayfarm's token for the local dev chain: a plain ERC-20 with ERC-2612 permit and a
/// faucet that only works on the dev chain (chain id 31337). A real network configures any
/// ERC-20 instead; there this contract is never deployed, and if it were, its faucet would be dead.
contract RenderToken is ERC20, ERC20Permit {
    /// @notice The chain id of the embedded dev chain, the only chain where the faucet works.
    uint256 public constant DEV_CHAIN_ID = 31337;
    /// @notice The most one faucet call hands out: 10,000 tokens.
    uint256 public constant FAUCET_LIMIT = 10_000 ether;

    /// @notice The faucet was called on a chain other than the dev chain.
    /// @param chainId The chain it was called on.
    error TokenFaucetUnavailable(uint256 chainId);

    /// @notice The faucet was asked for more than `FAUCET_LIMIT` at once.
    /// @param amount The amount asked for.
    /// @param limit The most one call gives.
    error TokenFaucetLimit(uint256 amount, uint256 limit);

    /// @notice Tokens were minted by the faucet.
    /// @param to Who got them.
    /// @param amount How many.
    event FaucetDripped(address indexed to, uint256 amount);

    constructor() ERC20("Rayfarm Render Token", "RFT") ERC20Permit("Rayfarm Render Token") {}

    /// @notice Mints `amount` tokens to `to`; dev chain only.
    /// @param to The receiver.
    /// @param amount How many (at most `FAUCET_LIMIT`).
    function faucet(address to, uint256 amount) external {
        if (block.chainid != DEV_CHAIN_ID) revert TokenFaucetUnavailable(block.chainid);
        if (amount > FAUCET_LIMIT) revert TokenFaucetLimit(amount, FAUCET_LIMIT);
        _mint(to, amount);
        emit FaucetDripped(to, amount);
    }
}
