// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IJobEscrow
/// @notice Escrow for Rayfarm render jobs. A creator locks a budget in one ERC-20 token and
/// allocates shares of it to operators; an allocation can only grow, and only the operator
/// it names can be paid from it. Operators are paid by redeeming EIP-712 vouchers that the
/// creator signs off chain. A voucher states the cumulative amount owed to one operator on one
/// job, so only the latest voucher matters and an older one can never be paid twice; it pays
/// at most the operator's allocation, so no voucher to anyone else, the creator's own
/// included, can take what an operator was allocated. When the job ends the creator requests a
/// close; after a grace period (time for operators to redeem their last voucher) everything
/// left, unallocated or unredeemed, goes back to the creator.
/// @dev Voucher type: `Voucher(bytes32 jobId,address operator,uint256 cumulativeAmount,bytes32 resultsRoot)`
/// under the EIP-712 domain (name, version, chainId, verifyingContract) of the escrow.
interface IJobEscrow {
    /// @notice The state of one job.
    /// @param creator Who opened the job, signs its vouchers and gets the rest back on close.
    /// @param feeBps The network fee, in basis points of every amount paid out; fixed at open.
    /// @param closeRequestedAt Timestamp of `requestClose`, 0 while no close was requested.
    /// @param closed True once `close` returned the rest; the job then accepts nothing more.
    /// @param balance Tokens still held for the job, allocated or not.
    /// @param paid Tokens paid out so far, operators' shares and fees together.
    /// @param unallocated The part of `balance` not allocated to any operator yet.
    struct Job {
        address creator;
        uint16 feeBps;
        uint64 closeRequestedAt;
        bool closed;
        uint128 balance;
        uint128 paid;
        uint128 unallocated;
    }

    /// @notice One operator's share of one job.
    /// @param allocated Everything the creator has allocated to the operator on the job; it never decreases.
    /// @param redeemed What the operator has redeemed so far (before fees), never above `allocated`.
    struct Share {
        uint128 allocated;
        uint128 redeemed;
    }

    /// @notice A job was opened and its budget locked.
    /// @param jobId The job's id, chosen by the creator.
    /// @param creator The account that opened it.
    /// @param amount Tokens received by the escrow for the job.
    /// @param feeBps The job's network fee in basis points.
    /// @param specHash Hash of the job's specification (scene, settings), for off-chain matching.
    event JobOpened(bytes32 indexed jobId, address indexed creator, uint256 amount, uint16 feeBps, bytes32 specHash);

    /// @notice More budget was added to a job.
    /// @param jobId The job.
    /// @param amount Tokens received by the escrow.
    /// @param balance The job's balance afterwards.
    event ToppedUp(bytes32 indexed jobId, uint256 amount, uint256 balance);

    /// @notice Part of a job's unallocated budget was allocated to an operator.
    /// @param jobId The job.
    /// @param operator The operator it is now reserved for.
    /// @param amount Tokens added to the operator's allocation.
    /// @param allocated The operator's allocation on the job afterwards.
    event Allocated(bytes32 indexed jobId, address indexed operator, uint256 amount, uint256 allocated);

    /// @notice A voucher was redeemed.
    /// @param jobId The job.
    /// @param operator The operator paid.
    /// @param cumulativeAmount The voucher's cumulative amount.
    /// @param redeemedTotal The operator's redeemed total afterwards: the voucher's amount, or
    /// the operator's allocation when the voucher asks for more.
    /// @param operatorAmount Tokens sent to the operator by this redemption (after the fee).
    /// @param fee Tokens sent to the treasury by this redemption.
    /// @param resultsRoot Merkle root of the verified results the voucher pays for.
    event Redeemed(
        bytes32 indexed jobId,
        address indexed operator,
        uint256 cumulativeAmount,
        uint256 redeemedTotal,
        uint256 operatorAmount,
        uint256 fee,
        bytes32 resultsRoot
    );

    /// @notice The creator asked to close a job; redemptions stay possible until `closableAt`.
    /// @param jobId The job.
    /// @param closableAt The first timestamp at which `close` succeeds.
    event CloseRequested(bytes32 indexed jobId, uint256 closableAt);

    /// @notice A job was closed and its remaining balance (unallocated and unredeemed alike)
    /// returned to the creator.
    /// @param jobId The job.
    /// @param refund Tokens returned to the creator.
    event Closed(bytes32 indexed jobId, uint256 refund);

    /// @notice The fee is outside the bounds the escrow enforces.
    /// @param feeBps The fee asked for.
    /// @param minBps The lowest fee allowed.
    /// @param maxBps The highest fee allowed.
    error EscrowFeeOutOfBounds(uint256 feeBps, uint256 minBps, uint256 maxBps);

    /// @notice A job with this id already exists (open or closed); ids are never reused.
    /// @param jobId The id asked for.
    error EscrowJobExists(bytes32 jobId);

    /// @notice No job has this id.
    /// @param jobId The id asked for.
    error EscrowUnknownJob(bytes32 jobId);

    /// @notice The job is closed and accepts no more top-ups, allocations, redemptions or closes.
    /// @param jobId The job.
    error EscrowJobClosed(bytes32 jobId);

    /// @notice Only the job's creator may do this.
    /// @param jobId The job.
    /// @param caller Who called.
    /// @param creator The job's creator.
    error EscrowNotCreator(bytes32 jobId, address caller, address creator);

    /// @notice An amount of zero was given where tokens must move.
    error EscrowZeroAmount();

    /// @notice The zero address was given where an account is needed.
    error EscrowZeroAddress();

    /// @notice An amount does not fit the escrow's 128-bit accounting.
    /// @param amount The amount.
    error EscrowAmountTooLarge(uint256 amount);

    /// @notice The voucher was not signed by the job's creator (or is for another job, operator,
    /// amount, root, chain or escrow, which recovers to another address).
    /// @param recovered The address the signature recovers to (zero if it is malformed).
    /// @param creator The job's creator.
    error EscrowWrongSigner(address recovered, address creator);

    /// @notice The voucher's cumulative amount is not above what the operator already redeemed.
    /// @param cumulativeAmount The voucher's amount.
    /// @param alreadyRedeemed The operator's redeemed total on this job.
    error EscrowNotCumulative(uint256 cumulativeAmount, uint256 alreadyRedeemed);

    /// @notice The operator has already redeemed its whole allocation (or has none), so the
    /// voucher, though above what was redeemed, can pay nothing more until the creator allocates more.
    /// @param jobId The job.
    /// @param operator The operator.
    /// @param allocated The operator's allocation on the job.
    error EscrowAllocationExhausted(bytes32 jobId, address operator, uint256 allocated);

    /// @notice An allocation asks for more than the job has left unallocated.
    /// @param jobId The job.
    /// @param amount The amount asked for one operator.
    /// @param unallocated What was still unallocated when that amount came up.
    error EscrowAllocationExceedsUnallocated(bytes32 jobId, uint256 amount, uint256 unallocated);

    /// @notice `allocate` got no operators, or not one amount per operator.
    /// @param operators How many operators were given.
    /// @param amounts How many amounts were given.
    error EscrowLengthMismatch(uint256 operators, uint256 amounts);

    /// @notice `close` was called before `requestClose`.
    /// @param jobId The job.
    error EscrowCloseNotRequested(bytes32 jobId);

    /// @notice `requestClose` was called twice; the first request's grace period stands.
    /// @param jobId The job.
    /// @param closableAt When the pending request lets the job close.
    error EscrowCloseAlreadyRequested(bytes32 jobId, uint256 closableAt);

    /// @notice The grace period after `requestClose` has not passed yet.
    /// @param jobId The job.
    /// @param closableAt The first timestamp at which `close` succeeds.
    error EscrowGracePeriodActive(bytes32 jobId, uint256 closableAt);

    /// @notice Opens a job and pulls `amount` tokens from the caller, who must have approved them.
    /// @param jobId A fresh id for the job.
    /// @param amount The budget to lock.
    /// @param feeBps The network fee in basis points, within [`MIN_FEE_BPS`, `MAX_FEE_BPS`].
    /// @param specHash Hash of the job's specification, recorded in the event.
    function openJob(bytes32 jobId, uint256 amount, uint16 feeBps, bytes32 specHash) external;

    /// @notice Like `openJob`, with an ERC-2612 permit instead of a prior approval.
    /// @dev A permit that fails (for instance because someone front-ran it) is ignored when the
    /// allowance is already sufficient, so the call cannot be griefed.
    /// @param jobId A fresh id for the job.
    /// @param amount The budget to lock, also the permit's value.
    /// @param feeBps The network fee in basis points.
    /// @param specHash Hash of the job's specification.
    /// @param deadline The permit's deadline.
    /// @param v The permit signature's v.
    /// @param r The permit signature's r.
    /// @param s The permit signature's s.
    function openJobWithPermit(
        bytes32 jobId,
        uint256 amount,
        uint16 feeBps,
        bytes32 specHash,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice Adds `amount` tokens to an open job's budget; creator only.
    /// @param jobId The job.
    /// @param amount Tokens to pull from the caller.
    function topUp(bytes32 jobId, uint256 amount) external;

    /// @notice Reserves parts of an open job's unallocated budget for operators; creator only.
    /// An allocation can never be reduced or moved: only its operator can be paid from it, until
    /// the job closes after its grace period. Batched so that one transaction can cover every
    /// operator a round of leases goes to; an operator may appear more than once.
    /// @param jobId The job.
    /// @param operators The operators, none the zero address.
    /// @param amounts What to add to each operator's allocation, each above zero; together at
    /// most the job's unallocated budget.
    function allocate(bytes32 jobId, address[] calldata operators, uint256[] calldata amounts) external;

    /// @notice Pays an operator what a voucher owes beyond what it already redeemed on the job,
    /// but never beyond the operator's allocation, minus the job's fee, which goes to the
    /// treasury. A voucher above the allocation pays up to it and can be redeemed again for the
    /// rest if the allocation grows. Anyone may submit the voucher; the tokens always go to `operator`.
    /// @param jobId The job.
    /// @param operator The operator named in the voucher.
    /// @param cumulativeAmount Everything the creator owes the operator on this job so far.
    /// @param resultsRoot Merkle root of the results paid for.
    /// @param signature The creator's 65-byte EIP-712 signature of the voucher.
    function redeem(
        bytes32 jobId,
        address operator,
        uint256 cumulativeAmount,
        bytes32 resultsRoot,
        bytes calldata signature
    ) external;

    /// @notice Starts the grace period after which the creator may close the job.
    /// @param jobId The job.
    function requestClose(bytes32 jobId) external;

    /// @notice Closes the job after the grace period and returns its balance to the creator: the
    /// unallocated budget and whatever operators did not redeem of their allocations in time.
    /// @param jobId The job.
    function close(bytes32 jobId) external;

    /// @notice The state of a job (all zero for an unknown id).
    /// @param jobId The job.
    /// @return job The job's state.
    function getJob(bytes32 jobId) external view returns (Job memory job);

    /// @notice What an operator has redeemed on a job so far (the last voucher's cumulative amount).
    /// @param jobId The job.
    /// @param operator The operator.
    /// @return amount The redeemed total, before fees.
    function redeemed(bytes32 jobId, address operator) external view returns (uint256 amount);

    /// @notice An operator's share of a job: its allocation and what it has redeemed of it.
    /// @param jobId The job.
    /// @param operator The operator.
    /// @return share The share (all zero when nothing was allocated).
    function shareOf(bytes32 jobId, address operator) external view returns (Share memory share);

    /// @notice The EIP-712 digest a creator signs for a voucher.
    /// @param jobId The job.
    /// @param operator The operator.
    /// @param cumulativeAmount The cumulative amount.
    /// @param resultsRoot The results root.
    /// @return digest The typed-data hash.
    function voucherDigest(bytes32 jobId, address operator, uint256 cumulativeAmount, bytes32 resultsRoot)
        external
        view
        returns (bytes32 digest);

    /// @notice The token the escrow holds.
    /// @return The ERC-20 token's address.
    function token() external view returns (address);

    /// @notice Where fees go.
    /// @return The treasury's address.
    function treasury() external view returns (address);

    /// @notice Seconds between `requestClose` and the earliest `close`.
    /// @return The grace period in seconds.
    function gracePeriod() external view returns (uint64);

    /// @notice The lowest fee a job may have, in basis points.
    /// @return 50 (0.5 %).
    function MIN_FEE_BPS() external view returns (uint16);

    /// @notice The highest fee a job may have, in basis points.
    /// @return 500 (5 %).
    function MAX_FEE_BPS() external view returns (uint16);
}
