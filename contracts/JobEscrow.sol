// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IJobEscrow} from "./interfaces/IJobEscrow.sol";

/// @title JobEscrow
/// @notice Holds render-job budgets and pays operators against creator-signed EIP-712 vouchers,
/// each operator only from the share of the budget the creator allocated to it.
/// @dev Accounting is 128-bit: a job's state is three slots (the one `redeem` writes holds
/// balance and paid together) and an operator's share one slot (allocated and redeemed
/// together, so a first redemption updates a slot `allocate` already made non-zero). The
/// escrow credits what it actually received (balance difference), so a token that takes a fee
/// on transfer cannot make the books promise more than the contract holds.
/// Invariant, for every job: balance == unallocated + sum over operators of (allocated - redeemed).
contract JobEscrow is IJobEscrow, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @inheritdoc IJobEscrow
    uint16 public constant override MIN_FEE_BPS = 50;
    /// @inheritdoc IJobEscrow
    uint16 public constant override MAX_FEE_BPS = 500;

    uint256 private constant _BPS = 10_000;
    bytes32 private constant _VOUCHER_TYPEHASH =
        keccak256("Voucher(bytes32 jobId,address operator,uint256 cumulativeAmount,bytes32 resultsRoot)");

    IERC20 private immutable _token;
    address private immutable _treasury;
    uint64 private immutable _gracePeriod;

    mapping(bytes32 jobId => Job) private _state;
    mapping(bytes32 jobId => mapping(address operator => Share)) private _shares;

    /// @param token_ The ERC-20 token budgets are held in.
    /// @param treasury_ Where fees go.
    /// @param gracePeriod_ Seconds between `requestClose` and the earliest `close`.
    constructor(IERC20 token_, address treasury_, uint64 gracePeriod_) EIP712("Rayfarm JobEscrow", "1") {
        if (address(token_) == address(0) || treasury_ == address(0)) revert EscrowZeroAddress();
        _token = token_;
        _treasury = treasury_;
        _gracePeriod = gracePeriod_;
    }

    /// @inheritdoc IJobEscrow
    function openJob(bytes32 jobId, uint256 amount, uint16 feeBps, bytes32 specHash) external override nonReentrant {
        _open(jobId, amount, feeBps, specHash);
    }

    /// @inheritdoc IJobEscrow
    function openJobWithPermit(
        bytes32 jobId,
        uint256 amount,
        uint16 feeBps,
        bytes32 specHash,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external override nonReentrant {
        // A failed permit is not fatal: if it was front-run, the allowance is already there and
        // the transfer below succeeds; if not, the transfer reverts with the token's own error.
        try IERC20Permit(address(_token)).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        _open(jobId, amount, feeBps, specHash);
    }

    /// @inheritdoc IJobEscrow
    function topUp(bytes32 jobId, uint256 amount) external override nonReentrant {
        Job storage job = _openJobOf(jobId);
        if (job.creator != msg.sender) revert EscrowNotCreator(jobId, msg.sender, job.creator);
        uint256 received = _pull(amount);
        uint256 balance = job.balance + received;
        // paid + balance is everything ever funded; keeping it within 128 bits is what lets
        // `redeem` add to `paid` unchecked.
        if (job.paid + balance > type(uint128).max) revert EscrowAmountTooLarge(amount);
        job.balance = uint128(balance);
        // unallocated <= balance (the invariant), so it fits wherever balance does.
        unchecked {
            job.unallocated += uint128(received);
        }
        emit ToppedUp(jobId, received, balance);
    }

    /// @inheritdoc IJobEscrow
    function allocate(bytes32 jobId, address[] calldata operators, uint256[] calldata amounts) external override nonReentrant {
        Job storage job = _openJobOf(jobId);
        if (job.creator != msg.sender) revert EscrowNotCreator(jobId, msg.sender, job.creator);
        uint256 n = operators.length;
        if (n == 0 || n != amounts.length) revert EscrowLengthMismatch(n, amounts.length);
        uint256 left = job.unallocated;
        for (uint256 i; i < n; ++i) {
            address operator = operators[i];
            uint256 amount = amounts[i];
            if (operator == address(0)) revert EscrowZeroAddress();
            if (amount == 0) revert EscrowZeroAmount();
            if (amount > left) revert EscrowAllocationExceedsUnallocated(jobId, amount, left);
            Share storage share = _shares[jobId][operator];
            uint256 allocated;
            // amount <= left was checked just above. Everything ever allocated on a job comes out
            // of its unallocated budget, which never exceeds what was funded (< 2^128, see _open and
            // topUp), so an operator's allocated total fits in 128 bits.
            unchecked {
                left -= amount;
                allocated = share.allocated + amount;
            }
            share.allocated = uint128(allocated);
            emit Allocated(jobId, operator, amount, allocated);
        }
        job.unallocated = uint128(left);
    }

    /// @inheritdoc IJobEscrow
    function redeem(
        bytes32 jobId,
        address operator,
        uint256 cumulativeAmount,
        bytes32 resultsRoot,
        bytes calldata signature
    ) external override nonReentrant {
        if (operator == address(0)) revert EscrowZeroAddress();
        Job storage job = _openJobOf(jobId);
        _checkSigner(job.creator, _voucherDigest(jobId, operator, cumulativeAmount, resultsRoot), signature);
        (uint256 redeemedTotal, uint256 toOperator, uint256 fee) = _settle(job, jobId, operator, cumulativeAmount);
        emit Redeemed(jobId, operator, cumulativeAmount, redeemedTotal, toOperator, fee, resultsRoot);

        if (toOperator != 0) _token.safeTransfer(operator, toOperator);
        if (fee != 0) _token.safeTransfer(_treasury, fee);
    }

    /// @inheritdoc IJobEscrow
    function requestClose(bytes32 jobId) external override nonReentrant {
        Job storage job = _openJobOf(jobId);
        if (job.creator != msg.sender) revert EscrowNotCreator(jobId, msg.sender, job.creator);
        uint256 requested = job.closeRequestedAt;
        if (requested != 0) revert EscrowCloseAlreadyRequested(jobId, requested + _gracePeriod);
        job.closeRequestedAt = uint64(block.timestamp);
        emit CloseRequested(jobId, block.timestamp + _gracePeriod);
    }

    /// @inheritdoc IJobEscrow
    function close(bytes32 jobId) external override nonReentrant {
        Job storage job = _openJobOf(jobId);
        address creator = job.creator;
        if (creator != msg.sender) revert EscrowNotCreator(jobId, msg.sender, creator);
        uint256 requested = job.closeRequestedAt;
        if (requested == 0) revert EscrowCloseNotRequested(jobId);
        uint256 closableAt = requested + _gracePeriod;
        if (block.timestamp < closableAt) revert EscrowGracePeriodActive(jobId, closableAt);

        // Both what was never allocated and what operators left unredeemed through the whole
        // grace period: the grace period is the operators' time to redeem.
        uint256 refund = job.balance;
        job.balance = 0;
        job.unallocated = 0;
        job.closed = true;
        emit Closed(jobId, refund);

        if (refund != 0) _token.safeTransfer(creator, refund);
    }

    /// @inheritdoc IJobEscrow
    function getJob(bytes32 jobId) external view override returns (Job memory) {
        return _state[jobId];
    }

    /// @inheritdoc IJobEscrow
    function redeemed(bytes32 jobId, address operator) external view override returns (uint256) {
        return _shares[jobId][operator].redeemed;
    }

    /// @inheritdoc IJobEscrow
    function shareOf(bytes32 jobId, address operator) external view override returns (Share memory) {
        return _shares[jobId][operator];
    }

    /// @inheritdoc IJobEscrow
    function voucherDigest(bytes32 jobId, address operator, uint256 cumulativeAmount, bytes32 resultsRoot)
        external
        view
        override
        returns (bytes32)
    {
        return _voucherDigest(jobId, operator, cumulativeAmount, resultsRoot);
    }

    /// @inheritdoc IJobEscrow
    function token() external view override returns (address) {
        return address(_token);
    }

    /// @inheritdoc IJobEscrow
    function treasury() external view override returns (address) {
        return _treasury;
    }

    /// @inheritdoc IJobEscrow
    function gracePeriod() external view override returns (uint64) {
        return _gracePeriod;
    }

    function _open(bytes32 jobId, uint256 amount, uint16 feeBps, bytes32 specHash) private {
        if (feeBps < MIN_FEE_BPS || feeBps > MAX_FEE_BPS) revert EscrowFeeOutOfBounds(feeBps, MIN_FEE_BPS, MAX_FEE_BPS);
        Job storage job = _state[jobId];
        if (job.creator != address(0)) revert EscrowJobExists(jobId);
        uint256 received = _pull(amount);
        if (received > type(uint128).max) revert EscrowAmountTooLarge(amount);
        job.creator = msg.sender;
        job.feeBps = feeBps;
        job.balance = uint128(received);
        job.unallocated = uint128(received);
        emit JobOpened(jobId, msg.sender, received, feeBps, specHash);
    }

    /// @dev Pulls `amount` from the caller and returns what actually arrived.
    function _pull(uint256 amount) private returns (uint256 received) {
        if (amount == 0) revert EscrowZeroAmount();
        uint256 before = _token.balanceOf(address(this));
        _token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 afterwards = _token.balanceOf(address(this));
        // Only a broken token lowers our balance on an incoming transfer; treat that as nothing received.
        received = afterwards > before ? afterwards - before : 0;
        if (received == 0) revert EscrowZeroAmount();
    }

    /// @dev The job, which must exist and be open.
    function _openJobOf(bytes32 jobId) private view returns (Job storage job) {
        job = _state[jobId];
        if (job.creator == address(0)) revert EscrowUnknownJob(jobId);
        if (job.closed) revert EscrowJobClosed(jobId);
    }

    /// @dev Reverts unless `signature` is `creator`'s signature of `digest`.
    function _checkSigner(address creator, bytes32 digest, bytes calldata signature) private pure {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err != ECDSA.RecoverError.NoError || recovered != creator) revert EscrowWrongSigner(recovered, creator);
    }

    /// @dev Books a voucher: pays the operator what it newly owes, capped by the operator's own
    /// allocation, moving it from the job's balance to paid. Returns the operator's new redeemed
    /// total, its share and the fee.
    function _settle(Job storage job, bytes32 jobId, address operator, uint256 cumulativeAmount)
        private
        returns (uint256 redeemedTotal, uint256 toOperator, uint256 fee)
    {
        Share storage share = _shares[jobId][operator];
        uint256 already = share.redeemed;
        if (cumulativeAmount <= already) revert EscrowNotCumulative(cumulativeAmount, already);
        uint256 allocated = share.allocated;
        // A voucher above the allocation pays what the allocation covers; the rest stays
        // redeemable with the same voucher should the creator allocate more.
        redeemedTotal = cumulativeAmount < allocated ? cumulativeAmount : allocated;
        if (redeemedTotal <= already) revert EscrowAllocationExhausted(jobId, operator, allocated);
        // redeemedTotal > already was checked just above. owed <= allocated - redeemed <= balance
        // by the invariant (see the contract's NatSpec), and balance < 2^128; feeBps <=
        // MAX_FEE_BPS, so the product stays far below 2^256 and fee <= owed. paid + balance never
        // exceeds 2^128 - 1 (see topUp and _open), so moving owed from balance to paid cannot
        // overflow either field.
        unchecked {
            uint256 owed = redeemedTotal - already;
            fee = (owed * job.feeBps) / _BPS;
            toOperator = owed - fee;
            job.balance -= uint128(owed);
            job.paid += uint128(owed);
        }
        share.redeemed = uint128(redeemedTotal);
    }

    function _voucherDigest(bytes32 jobId, address operator, uint256 cumulativeAmount, bytes32 resultsRoot)
        private
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(keccak256(abi.encode(_VOUCHER_TYPEHASH, jobId, operator, cumulativeAmount, resultsRoot)));
    }
}
