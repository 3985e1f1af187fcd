// The body of the 8-wide traversal, shared by its three node tests (AVX2, SSE, scalar) so that
// all visit the children in the same order and every CPU finds the same hits. Included inside
// a function with parameters (sv, r, tmax, alphaKey, hit), template parameter anyHit, and two
// macros: RF_NODE_TEST(n) sets t[8] (entry distances), leaves and inner (bit masks of the leaf
// and inner children whose box the ray crosses before `closest`); RF_IN_FRONT() is the bit mask
// of the slots with t < closest. No include guard: it is meant to be included more than once.
{
// The four cache lines of node i (on the CPU; the GPU does not walk this tree).
#define RF_PREFETCH_NODE(i)                                                                       \
    do {                                                                                          \
        const char *pf = reinterpret_cast<const char *>(&nodes[i]);                               \
        for (int o = 0; o < 256; o += 64) __builtin_prefetch(pf + o);                             \
    } while (0)
    const PackRay pr = makePackRay(r);
    const BVH8Node *nodes = sv.nodes8;
    const TriPack4 *packs = sv.packs;
    const uint32_t *packTri = sv.packTri;
    const bool alpha = sv.anyAlpha != 0;
    bool found = false;
    float closest = tmax;
    // Inner children wait on the stack with their entry distance, so that a closer hit found in
    // the meantime lets traversal skip them without touching their nodes.
    int stackNode[kTraversalStackSize];
    float stackT[kTraversalStackSize];
    int sp = 0;
    int node = 0;
    while (true) {
        const BVH8Node &n = nodes[node];
        alignas(32) float t[8];
        unsigned leaves, inner;
        RF_NODE_TEST(n);
        // (Not all inner children are prefetched here: with 256-byte nodes that measured no
        // faster. Only the node the stack would give next is, below.)
        // Leaves first, in slot order (they may shorten the ray).
        for (; leaves; leaves &= leaves - 1) {
            int k = lowestBit(leaves);
            if (t[k] >= closest) continue;
            for (int pk = n.child[k], e = pk + ((n.count[k] + 3) >> 2); pk < e; ++pk) {
                float th[4], uh[4], vh[4];
                unsigned lanes = intersectPack(packs[pk], pr, closest, th, uh, vh);
                // Lanes in order, each against the closest hit so far: what testing the
                // triangles one by one finds.
                for (; lanes; lanes &= lanes - 1) {
                    int j = lowestBit(lanes);
                    if (!(th[j] < closest)) continue;
                    uint32_t tri = packTri[4 * pk + j];
                    if (alpha && !alphaAccepts(sv, tri, uh[j], vh[j], alphaKey)) continue;
                    closest = th[j];
                    hit.t = th[j];
                    hit.tri = tri;
                    hit.u = uh[j];
                    hit.v = vh[j];
                    found = true;
                    if (anyHit) return true;
                }
            }
        }
        // Inner children still in front of the closest hit.
        if (!anyHit) inner &= RF_IN_FRONT();
        if (inner) {
            int a = lowestBit(inner);
            inner &= inner - 1;
            if (!inner) {  // one child: straight down
                node = n.child[a];
                continue;
            }
            if (anyHit) {  // whether something blocks the ray does not depend on the order
                for (; inner; inner &= inner - 1) {
                    int k = lowestBit(inner);
                    stackNode[sp] = n.child[k];
                    stackT[sp] = t[k];
                    ++sp;
                }
                node = n.child[a];
                continue;
            }
            int b = lowestBit(inner);
            inner &= inner - 1;
            if (!inner) {  // two: the nearer next (the later slot on a tie), the other waits
                if (t[b] <= t[a]) {
                    int c = a;
                    a = b;
                    b = c;
                }
                stackNode[sp] = n.child[b];
                stackT[sp] = t[b];
                ++sp;
                RF_PREFETCH_NODE(n.child[b]);
                node = n.child[a];
                continue;
            }
            // More: sort far to near (stable), push all but the nearest.
            int order[8];
            const int count = orderFarToNear(a, b, inner, t, order);
            for (int i = 0; i + 1 < count; ++i) {
                stackNode[sp] = n.child[order[i]];
                stackT[sp] = t[order[i]];
                ++sp;
            }
            RF_PREFETCH_NODE(n.child[order[count - 2]]);
            node = n.child[order[count - 1]];
            continue;
        }
        // Pop the nearest node still in front of the closest hit.
        bool next = false;
        while (sp > 0) {
            --sp;
            if (stackT[sp] < closest) {
                node = stackNode[sp];
                next = true;
                break;
            }
        }
        // Ask for the node that would be popped next while this one is read.
        if (next && sp > 0) RF_PREFETCH_NODE(stackNode[sp - 1]);
        if (!next) break;
    }
    return found;
#undef RF_PREFETCH_NODE
}
