// BVH construction (binned SAH). Traversal lives in intersect.h so both backends share it.
#pragma once

#include <vector>

#include "scene.h"

namespace rf {

struct BVHBuildOutput {
    NodeVector nodes;    // the binary tree
    Node8Vector nodes8;  // the same tree collapsed to 8-wide nodes (what the CPU traverses)
    PackVector packs;    // the 8-wide tree's leaf triangles, four to a pack
    std::vector<uint32_t> packTri;  // lane j of pack p -> original triangle, at 4 p + j
    int depth8 = 0;
    std::vector<TriAccel> tris;
    std::vector<uint32_t> triOrder;
    int depth = 0;
};

// Builds a binary BVH over triangles (indices into positions). Deterministic: the same input
// always gives the same tree.
BVHBuildOutput buildBVH(const float *positions, const uint32_t *indices, size_t triCount);

// Collapses a binary BVH into 8-wide nodes (each node adopts grandchildren, largest first)
// whose leaves hold their triangles in packs of four (bvh8.cc). Needs tris and triOrder.
void collapseToWide(BVHBuildOutput &bvh);

}  // namespace rf
