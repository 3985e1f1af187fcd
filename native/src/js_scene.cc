#include "js_scene.h"

#include <cmath>

namespace rf {

namespace {

const char *kBad = "ENGINE_BAD_SCENE";

Napi::Value field(const Napi::Object &o, const char *key) {
    return o.Has(key) ? o.Get(key) : o.Env().Undefined();
}

template <typename T>
std::vector<T> typedArray(const Napi::Object &o, const char *key, napi_typedarray_type type,
                          const char *typeName, bool optional) {
    Napi::Value v = field(o, key);
    if (optional && v.IsUndefined()) return {};
    RF_REQUIRE(kBad, v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == type,
               key << " must be a " << typeName);
    Napi::TypedArrayOf<T> a = v.As<Napi::TypedArrayOf<T>>();
    return std::vector<T>(a.Data(), a.Data() + a.ElementLength());
}

std::string requireString(const Napi::Object &o, const char *key, const std::string &prefix) {
    Napi::Value v = field(o, key);
    RF_REQUIRE(kBad, v.IsString(), prefix << key << " must be a string");
    return v.As<Napi::String>().Utf8Value();
}

int32_t wrapFrom(const std::string &s, const std::string &what) {
    if (s == "repeat") return kWrapRepeat;
    if (s == "clamp") return kWrapClamp;
    if (s == "mirror") return kWrapMirror;
    throw Error(kBad, what + " = '" + s + "' is not one of 'repeat', 'clamp', 'mirror'");
}

}  // namespace

// Optional material and texture fields (the KHR_* extensions): absent means the default.
namespace {

float optNumber(const Napi::Object &o, const char *key, const std::string &prefix, float dflt) {
    return field(o, key).IsUndefined() ? dflt : requireNumber(o, key, prefix, kBad);
}

int optInt(const Napi::Object &o, const char *key, const std::string &prefix, int dflt) {
    return field(o, key).IsUndefined() ? dflt : requireInt(o, key, prefix, kBad);
}

void optNumbers(const Napi::Object &o, const char *key, size_t n, const std::string &prefix, float *out) {
    if (field(o, key).IsUndefined()) return;
    std::vector<float> v = requireNumberArray(o, key, n, prefix, kBad);
    std::copy(v.begin(), v.end(), out);
}

void readMaterialExtras(const Napi::Object &m, const std::string &w, MaterialDesc &md) {
    md.transmission = optNumber(m, "transmission", w, md.transmission);
    md.transmissionTexture = optInt(m, "transmissionTexture", w, md.transmissionTexture);
    md.ior = optNumber(m, "ior", w, md.ior);
    md.thickness = optNumber(m, "thickness", w, md.thickness);
    optNumbers(m, "attenuationColor", 3, w, md.attenuationColor);
    md.attenuationDistance = optNumber(m, "attenuationDistance", w, md.attenuationDistance);
    md.clearcoat = optNumber(m, "clearcoat", w, md.clearcoat);
    md.clearcoatTexture = optInt(m, "clearcoatTexture", w, md.clearcoatTexture);
    md.clearcoatRoughness = optNumber(m, "clearcoatRoughness", w, md.clearcoatRoughness);
    md.clearcoatRoughnessTexture = optInt(m, "clearcoatRoughnessTexture", w, md.clearcoatRoughnessTexture);
    optNumbers(m, "sheenColor", 3, w, md.sheenColor);
    md.sheenColorTexture = optInt(m, "sheenColorTexture", w, md.sheenColorTexture);
    md.sheenRoughness = optNumber(m, "sheenRoughness", w, md.sheenRoughness);
    md.sheenRoughnessTexture = optInt(m, "sheenRoughnessTexture", w, md.sheenRoughnessTexture);
}

}  // namespace

Napi::Object requireObject(const Napi::Object &o, const char *key, const std::string &prefix,
                           const char *code) {
    Napi::Value v = field(o, key);
    RF_REQUIRE(code, v.IsObject(), prefix << key << " must be an object");
    return v.As<Napi::Object>();
}

float requireNumber(const Napi::Object &o, const char *key, const std::string &prefix,
                    const char *code) {
    Napi::Value v = field(o, key);
    RF_REQUIRE(code, v.IsNumber(), prefix << key << " must be a number");
    double d = v.As<Napi::Number>().DoubleValue();
    RF_REQUIRE(code, std::isfinite(d), prefix << key << " = " << d << " is not a finite number");
    return static_cast<float>(d);
}

int requireInt(const Napi::Object &o, const char *key, const std::string &prefix, const char *code) {
    Napi::Value v = field(o, key);
    RF_REQUIRE(code, v.IsNumber(), prefix << key << " must be a number");
    double d = v.As<Napi::Number>().DoubleValue();
    RF_REQUIRE(code, std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 2147483647.0,
               prefix << key << " = " << d << " must be an integer");
    return static_cast<int>(d);
}

std::vector<float> requireNumberArray(const Napi::Object &o, const char *key, size_t count,
                                      const std::string &prefix, const char *code) {
    Napi::Value v = field(o, key);
    std::vector<float> out;
    if (v.IsTypedArray()) {
        Napi::TypedArray t = v.As<Napi::TypedArray>();
        RF_REQUIRE(code, t.ElementLength() == count,
                   prefix << key << " must hold " << count << " numbers, not " << t.ElementLength());
        Napi::Object ao = v.As<Napi::Object>();
        for (size_t i = 0; i < count; ++i) out.push_back(ao.Get(static_cast<uint32_t>(i)).As<Napi::Number>().FloatValue());
    } else {
        RF_REQUIRE(code, v.IsArray(), prefix << key << " must be an array of " << count << " numbers");
        Napi::Array a = v.As<Napi::Array>();
        RF_REQUIRE(code, a.Length() == count,
                   prefix << key << " must hold " << count << " numbers, not " << a.Length());
        for (uint32_t i = 0; i < count; ++i) {
            Napi::Value e = a.Get(i);
            RF_REQUIRE(code, e.IsNumber(), prefix << key << "[" << i << "] must be a number");
            out.push_back(e.As<Napi::Number>().FloatValue());
        }
    }
    for (size_t i = 0; i < count; ++i)
        RF_REQUIRE(code, std::isfinite(out[i]),
                   prefix << key << "[" << i << "] = " << out[i] << " is not a finite number");
    return out;
}

SceneDesc sceneDescFromJs(const Napi::Object &o) {
    SceneDesc d;
    d.positions = typedArray<float>(o, "positions", napi_float32_array, "Float32Array", false);
    d.normals = typedArray<float>(o, "normals", napi_float32_array, "Float32Array", true);
    d.uvs = typedArray<float>(o, "uvs", napi_float32_array, "Float32Array", true);
    d.tangents = typedArray<float>(o, "tangents", napi_float32_array, "Float32Array", true);
    d.indices = typedArray<uint32_t>(o, "indices", napi_uint32_array, "Uint32Array", false);
    d.materialIndex = typedArray<uint32_t>(o, "materialIndex", napi_uint32_array, "Uint32Array", false);

    Napi::Value mats = field(o, "materials");
    RF_REQUIRE(kBad, mats.IsArray(), "materials must be an array");
    Napi::Array ma = mats.As<Napi::Array>();
    for (uint32_t i = 0; i < ma.Length(); ++i) {
        std::string w = "materials[" + std::to_string(i) + "].";
        Napi::Value mv = ma.Get(i);
        RF_REQUIRE(kBad, mv.IsObject(), "materials[" << i << "] must be an object");
        Napi::Object m = mv.As<Napi::Object>();
        MaterialDesc md;
        if (field(m, "name").IsString()) md.name = field(m, "name").As<Napi::String>().Utf8Value();
        std::vector<float> bc = requireNumberArray(m, "baseColor", 4, w, kBad);
        std::copy(bc.begin(), bc.end(), md.baseColor);
        std::vector<float> em = requireNumberArray(m, "emissive", 3, w, kBad);
        std::copy(em.begin(), em.end(), md.emissive);
        md.baseColorTexture = requireInt(m, "baseColorTexture", w, kBad);
        md.metallic = requireNumber(m, "metallic", w, kBad);
        md.roughness = requireNumber(m, "roughness", w, kBad);
        md.metallicRoughnessTexture = requireInt(m, "metallicRoughnessTexture", w, kBad);
        md.emissiveTexture = requireInt(m, "emissiveTexture", w, kBad);
        md.normalTexture = requireInt(m, "normalTexture", w, kBad);
        md.normalScale = requireNumber(m, "normalScale", w, kBad);
        md.specular = requireNumber(m, "specular", w, kBad);
        md.specularTexture = requireInt(m, "specularTexture", w, kBad);
        std::vector<float> sc = requireNumberArray(m, "specularColor", 3, w, kBad);
        std::copy(sc.begin(), sc.end(), md.specularColor);
        md.specularColorTexture = requireInt(m, "specularColorTexture", w, kBad);
        md.alphaCutoff = requireNumber(m, "alphaCutoff", w, kBad);
        std::string mode = requireString(m, "alphaMode", w);
        if (mode == "opaque") md.alphaMode = kAlphaOpaque;
        else if (mode == "mask") md.alphaMode = kAlphaMask;
        else if (mode == "blend") md.alphaMode = kAlphaBlend;
        else throw Error(kBad, w + "alphaMode = '" + mode + "' is not one of 'opaque', 'mask', 'blend'");
        md.doubleSided = field(m, "doubleSided").ToBoolean().Value();
        readMaterialExtras(m, w, md);
        d.materials.push_back(std::move(md));
    }

    Napi::Value texs = field(o, "textures");
    RF_REQUIRE(kBad, texs.IsArray(), "textures must be an array");
    Napi::Array ta = texs.As<Napi::Array>();
    for (uint32_t i = 0; i < ta.Length(); ++i) {
        std::string w = "textures[" + std::to_string(i) + "].";
        Napi::Value tv = ta.Get(i);
        RF_REQUIRE(kBad, tv.IsObject(), "textures[" << i << "] must be an object");
        Napi::Object t = tv.As<Napi::Object>();
        TextureDesc td;
        td.width = requireInt(t, "width", w, kBad);
        td.height = requireInt(t, "height", w, kBad);
        Napi::Value data = field(t, "data");
        RF_REQUIRE(kBad, data.IsTypedArray() && (data.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array ||
                                                 data.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_clamped_array),
                   w << "data must be a Uint8Array");
        Napi::TypedArray arr = data.As<Napi::TypedArray>();
        const uint8_t *bytes = static_cast<const uint8_t *>(arr.ArrayBuffer().Data()) + arr.ByteOffset();
        td.data.assign(bytes, bytes + arr.ByteLength());
        td.wrapS = wrapFrom(requireString(t, "wrapS", w), w + "wrapS");
        td.wrapT = wrapFrom(requireString(t, "wrapT", w), w + "wrapT");
        td.srgb = field(t, "srgb").ToBoolean().Value();
        if (!field(t, "transform").IsUndefined()) {
            optNumbers(t, "transform", 6, w, td.transform);
            td.transformed = true;
        }
        d.textures.push_back(std::move(td));
    }

    Napi::Value lights = field(o, "lights");
    RF_REQUIRE(kBad, lights.IsArray(), "lights must be an array");
    Napi::Array la = lights.As<Napi::Array>();
    for (uint32_t i = 0; i < la.Length(); ++i) {
        std::string w = "lights[" + std::to_string(i) + "].";
        Napi::Value lv = la.Get(i);
        RF_REQUIRE(kBad, lv.IsObject(), "lights[" << i << "] must be an object");
        Napi::Object l = lv.As<Napi::Object>();
        LightDesc ld;
        std::string type = requireString(l, "type", w);
        if (type == "point") ld.type = kLightPoint;
        else if (type == "spot") ld.type = kLightSpot;
        else if (type == "directional") ld.type = kLightDirectional;
        else throw Error(kBad, w + "type = '" + type + "' is not one of 'point', 'spot', 'directional'");
        std::vector<float> pos = requireNumberArray(l, "position", 3, w, kBad);
        std::vector<float> dir = requireNumberArray(l, "direction", 3, w, kBad);
        std::vector<float> col = requireNumberArray(l, "color", 3, w, kBad);
        std::copy(pos.begin(), pos.end(), ld.position);
        std::copy(dir.begin(), dir.end(), ld.direction);
        std::copy(col.begin(), col.end(), ld.color);
        ld.intensity = requireNumber(l, "intensity", w, kBad);
        ld.range = requireNumber(l, "range", w, kBad);
        ld.innerConeAngle = requireNumber(l, "innerConeAngle", w, kBad);
        ld.outerConeAngle = requireNumber(l, "outerConeAngle", w, kBad);
        d.lights.push_back(ld);
    }

    Napi::Object bg = requireObject(o, "background", "", kBad);
    std::string bt = requireString(bg, "type", "background.");
    if (bt == "color") {
        d.backgroundType = kBackgroundColor;
        std::vector<float> c = requireNumberArray(bg, "color", 3, "background.", kBad);
        std::copy(c.begin(), c.end(), d.backgroundColor);
    } else if (bt == "equirect") {
        d.backgroundType = kBackgroundEquirect;
        d.backgroundTexture = requireInt(bg, "texture", "background.", kBad);
        d.backgroundIntensity = requireNumber(bg, "intensity", "background.", kBad);
    } else if (bt == "hdri") {
        d.backgroundType = kBackgroundHdri;
        d.hdriWidth = requireInt(bg, "width", "background.", kBad);
        d.hdriHeight = requireInt(bg, "height", "background.", kBad);
        d.hdriData = typedArray<float>(bg, "data", napi_float32_array, "Float32Array", false);
        d.backgroundIntensity = requireNumber(bg, "intensity", "background.", kBad);
    } else {
        throw Error(kBad, "background.type = '" + bt + "' is not one of 'color', 'equirect', 'hdri'");
    }
    return d;
}

}  // namespace rf
