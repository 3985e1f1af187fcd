// Reading JS values into engine structs, with errors that name the offending field.
#pragma once

#include <napi.h>

#include <string>
#include <vector>

#include "scene.h"

namespace rf {

Napi::Object requireObject(const Napi::Object &o, const char *key, const std::string &prefix = "",
                           const char *code = "ENGINE_BAD_OPTIONS");
float requireNumber(const Napi::Object &o, const char *key, const std::string &prefix,
                    const char *code = "ENGINE_BAD_OPTIONS");
int requireInt(const Napi::Object &o, const char *key, const std::string &prefix,
               const char *code = "ENGINE_BAD_OPTIONS");
std::vector<float> requireNumberArray(const Napi::Object &o, const char *key, size_t count,
                                      const std::string &prefix,
                                      const char *code = "ENGINE_BAD_OPTIONS");

// Copies a SceneBuffers object; checks JS types here, values later in validateSceneDesc.
SceneDesc sceneDescFromJs(const Napi::Object &o);

}  // namespace rf
