// The N-API surface of the engine: loadScene, disposeScene, sceneInfo, renderTile, devices,
// benchmark, intersectRays. Heavy work (BVH build, rendering) runs off the JS thread.
#include <napi.h>

#include <chrono>
#include <memory>

#include "benchmark.h"
#include "intersect.h"
#include "js_scene.h"
#include "render.h"

namespace rf {

namespace {

struct SceneHolder {
    std::shared_ptr<Scene> scene;
};

Napi::Error makeError(Napi::Env env, const std::string &code, const std::string &message) {
    Napi::Error e = Napi::Error::New(env, message);
    e.Set("code", Napi::String::New(env, code));
    return e;
}

std::shared_ptr<Scene> sceneFrom(const Napi::Value &v) {
    RF_REQUIRE("ENGINE_BAD_OPTIONS", v.IsExternal(), "scene must be a handle returned by loadScene");
    SceneHolder *h = v.As<Napi::External<SceneHolder>>().Data();
    RF_REQUIRE("ENGINE_DISPOSED", h && h->scene, "the scene has been disposed");
    return h->scene;
}

// An AsyncWorker that settles a promise and carries rf::Error codes to JS.
class PromiseWorker : public Napi::AsyncWorker {
  public:
    explicit PromiseWorker(Napi::Env env) : Napi::AsyncWorker(env), deferred_(env) {}
    Napi::Promise promise() { return deferred_.Promise(); }

  protected:
    void Execute() override {
        try {
            run();
        } catch (const Error &e) {
            code_ = e.code();
            SetError(e.what());
        } catch (const std::bad_alloc &) {
            code_ = "ENGINE_OUT_OF_MEMORY";
            SetError("out of memory");
        } catch (const std::exception &e) {
            code_ = "ENGINE_INTERNAL";
            SetError(e.what());
        }
    }
    void OnError(const Napi::Error &e) override {
        Napi::HandleScope scope(Env());
        deferred_.Reject(makeError(Env(), code_.empty() ? "ENGINE_INTERNAL" : code_, e.Message()).Value());
    }
    virtual void run() = 0;
    std::string code_;
    Napi::Promise::Deferred deferred_;
};

class LoadSceneWorker : public PromiseWorker {
  public:
    LoadSceneWorker(Napi::Env env, SceneDesc &&desc) : PromiseWorker(env), desc_(std::move(desc)) {}
    void run() override { scene_ = std::make_shared<Scene>(std::move(desc_)); }
    void OnOK() override {
        auto *holder = new SceneHolder{scene_};
        deferred_.Resolve(Napi::External<SceneHolder>::New(Env(), holder, [](Napi::Env, SceneHolder *h) { delete h; }));
    }

  private:
    SceneDesc desc_;
    std::shared_ptr<Scene> scene_;
};

class RenderWorker : public PromiseWorker {
  public:
    RenderWorker(Napi::Env env, std::shared_ptr<Scene> scene, RenderJob job, Napi::Value onProgress,
                 std::shared_ptr<std::atomic<bool>> cancel)
        : PromiseWorker(env), scene_(std::move(scene)), job_(job), cancel_(std::move(cancel)) {
        if (onProgress.IsFunction()) {
            tsfn_ = Napi::ThreadSafeFunction::New(env, onProgress.As<Napi::Function>(), "rayfarm-progress", 0, 1);
            hasTsfn_ = true;
        }
    }
    void run() override {
        std::atomic<int> lastPercent{-1};
        ProgressFn progress;
        if (hasTsfn_) {
            progress = [this, &lastPercent](double f) {
                int pct = static_cast<int>(f * 100.0);
                int prev = lastPercent.load();
                while (pct > prev && !lastPercent.compare_exchange_weak(prev, pct)) {
                }
                if (pct <= prev) return;
                auto *value = new double(f);
                napi_status s = tsfn_.NonBlockingCall(value, [](Napi::Env env, Napi::Function cb, double *v) {
                    double x = *v;
                    delete v;
                    if (env == nullptr || cb == nullptr) return;
                    // A throwing onProgress is the caller's bug: surface it as an uncaught
                    // exception, as Node does for any throwing callback, never std::terminate.
                    try {
                        cb.Call({Napi::Number::New(env, x)});
                    } catch (const Napi::Error &e) {
                        e.ThrowAsJavaScriptException();
                    }
                });
                if (s != napi_ok) delete value;
            };
        }
        stats_ = render(*scene_, job_, pixels_, *cancel_, progress);
        if (stats_.cancelled) throw Error("ENGINE_CANCELLED", "the render was cancelled");
    }
    void OnOK() override {
        Napi::Env env = Env();
        Napi::Float32Array arr = Napi::Float32Array::New(env, pixels_.size());
        std::copy(pixels_.begin(), pixels_.end(), arr.Data());
        Napi::Object result = Napi::Object::New(env);
        result.Set("pixels", arr);
        result.Set("discardedSamples", Napi::Number::New(env, static_cast<double>(stats_.discardedSamples)));
        result.Set("cpuSeconds", Napi::Number::New(env, stats_.cpuSeconds));
        releaseTsfn();
        deferred_.Resolve(result);
    }
    void OnError(const Napi::Error &e) override {
        releaseTsfn();
        PromiseWorker::OnError(e);
    }

  private:
    void releaseTsfn() {
        if (hasTsfn_) {
            tsfn_.Release();
            hasTsfn_ = false;
        }
    }
    std::shared_ptr<Scene> scene_;
    RenderJob job_;
    std::shared_ptr<std::atomic<bool>> cancel_;
    Napi::ThreadSafeFunction tsfn_;
    bool hasTsfn_ = false;
    std::vector<float> pixels_;
    RenderStats stats_;
};

class BenchmarkWorker : public PromiseWorker {
  public:
    BenchmarkWorker(Napi::Env env, RenderJob job) : PromiseWorker(env), job_(job) {}
    void run() override {
        Scene scene(makeBenchmarkScene());
        std::atomic<bool> never{false};
        std::vector<float> out;
        if (job_.backend == Backend::kCuda) {
            RenderJob warm = job_;  // context creation and upload are not part of the score
            warm.params.spp = 1;
            render(scene, warm, out, never, nullptr);
        }
        auto t0 = std::chrono::steady_clock::now();
        render(scene, job_, out, never, nullptr);
        seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    void OnOK() override {
        Napi::Env env = Env();
        const RenderParams &p = job_.params;
        double samples = static_cast<double>(p.rect.width) * p.rect.height * p.spp;
        double sps = samples / std::max(seconds_, 1e-9);
        Napi::Object r = Napi::Object::New(env);
        r.Set("backend", job_.backend == Backend::kCuda ? "cuda" : "cpu");
        r.Set("width", p.rect.width);
        r.Set("height", p.rect.height);
        r.Set("spp", p.spp);
        r.Set("maxDepth", p.maxDepth);
        r.Set("threads", job_.threads);
        r.Set("samples", samples);
        r.Set("seconds", seconds_);
        r.Set("samplesPerSecond", sps);
        r.Set("score", 100.0 * sps / kBenchmarkSamplesPerSecondAt100);
        deferred_.Resolve(r);
    }

  private:
    RenderJob job_;
    double seconds_ = 0;
};

Backend parseBackend(const Napi::Object &o) {
    if (!o.Has("backend") || o.Get("backend").IsUndefined()) return Backend::kCpu;
    std::string b = o.Get("backend").ToString().Utf8Value();
    RF_REQUIRE("ENGINE_BAD_OPTIONS", b == "cpu" || b == "cuda", "backend must be 'cpu' or 'cuda', got '" << b << "'");
    return b == "cuda" ? Backend::kCuda : Backend::kCpu;
}

RenderJob parseRenderOptions(const Napi::Object &o) {
    RenderJob job;
    RenderParams &p = job.params;
    Napi::Object cam = requireObject(o, "camera");
    std::vector<float> m = requireNumberArray(cam, "cameraToWorld", 16, "camera.");
    float yfov = requireNumber(cam, "yfov", "camera.");
    RF_REQUIRE("ENGINE_BAD_OPTIONS", yfov > 0.f && yfov < kPi, "camera.yfov = " << yfov << " must be between 0 and pi");
    p.camera = makeCamera(m.data(), yfov);
    p.fullWidth = requireInt(o, "width", "");
    p.fullHeight = requireInt(o, "height", "");
    Napi::Object rect = requireObject(o, "rect");
    p.rect = PixelRect{requireInt(rect, "x", "rect."), requireInt(rect, "y", "rect."),
                       requireInt(rect, "width", "rect."), requireInt(rect, "height", "rect.")};
    p.spp = requireInt(o, "spp", "");
    p.maxDepth = requireInt(o, "maxDepth", "");
    double seed = requireNumber(o, "seed", "");
    RF_REQUIRE("ENGINE_BAD_OPTIONS", seed >= 0 && seed <= 9007199254740991.0 && seed == std::floor(seed),
               "seed = " << seed << " must be an integer in 0..2^53-1");
    p.seed = static_cast<uint64_t>(seed);
    job.threads = requireInt(o, "threads", "");
    job.backend = parseBackend(o);
    return job;
}

// Runs fn, turning rf::Error into a JS exception that carries its code.
template <typename F>
Napi::Value guarded(const Napi::CallbackInfo &info, F fn) {
    try {
        return fn();
    } catch (const Error &e) {
        throw makeError(info.Env(), e.code(), e.what());
    }
}

Napi::Value LoadScene(const Napi::CallbackInfo &info) {
    return guarded(info, [&]() -> Napi::Value {
        RF_REQUIRE("ENGINE_BAD_SCENE", info.Length() >= 1 && info[0].IsObject(), "loadScene needs a SceneBuffers object");
        SceneDesc desc = sceneDescFromJs(info[0].As<Napi::Object>());
        auto *w = new LoadSceneWorker(info.Env(), std::move(desc));
        Napi::Promise p = w->promise();
        w->Queue();
        return p;
    });
}

Napi::Value DisposeScene(const Napi::CallbackInfo &info) {
    if (info.Length() >= 1 && info[0].IsExternal()) {
        SceneHolder *h = info[0].As<Napi::External<SceneHolder>>().Data();
        if (h) h->scene.reset();
    }
    return info.Env().Undefined();
}

Napi::Value SceneInfo(const Napi::CallbackInfo &info) {
    return guarded(info, [&]() -> Napi::Value {
        std::shared_ptr<Scene> s = sceneFrom(info[0]);
        Napi::Object r = Napi::Object::New(info.Env());
        r.Set("triangles", static_cast<double>(s->triangleCount()));
        r.Set("vertices", static_cast<double>(s->vertexCount()));
        r.Set("bvhNodes", static_cast<double>(s->nodes8_.size()));
        r.Set("bvhDepth", s->bvhDepth());
        r.Set("emissiveTriangles", static_cast<double>(s->emissiveTris_.size()));
        r.Set("lights", static_cast<double>(s->lights_.size()));
        static const char *const kPaths[] = {"scalar", "sse", "avx2"};
        r.Set("traversal", kPaths[cpuTraversal()]);
        return r;
    });
}

Napi::Value RenderTile(const Napi::CallbackInfo &info) {
    return guarded(info, [&]() -> Napi::Value {
        Napi::Env env = info.Env();
        std::shared_ptr<Scene> scene = sceneFrom(info[0]);
        RF_REQUIRE("ENGINE_BAD_OPTIONS", info.Length() >= 2 && info[1].IsObject(), "renderTile needs an options object");
        RenderJob job = parseRenderOptions(info[1].As<Napi::Object>());
        validateRenderJob(job);
        auto cancel = std::make_shared<std::atomic<bool>>(false);
        auto *w = new RenderWorker(env, scene, job, info.Length() >= 3 ? info[2] : env.Undefined(), cancel);
        Napi::Object r = Napi::Object::New(env);
        r.Set("promise", w->promise());
        r.Set("cancel", Napi::Function::New(env, [cancel](const Napi::CallbackInfo &ci) {
                  cancel->store(true);
                  return ci.Env().Undefined();
              }));
        w->Queue();
        return r;
    });
}

Napi::Value Devices(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    std::vector<DeviceDesc> list = listDevices();
    Napi::Array arr = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); ++i) {
        Napi::Object d = Napi::Object::New(env);
        d.Set("backend", list[i].backend);
        d.Set("name", list[i].name);
        d.Set("memory", static_cast<double>(list[i].memory));
        d.Set("threads", list[i].threads);
        arr.Set(static_cast<uint32_t>(i), d);
    }
    return arr;
}

Napi::Value Benchmark(const Napi::CallbackInfo &info) {
    return guarded(info, [&]() -> Napi::Value {
        Napi::Object o = info.Length() >= 1 && info[0].IsObject() ? info[0].As<Napi::Object>() : Napi::Object::New(info.Env());
        auto intOr = [&](const char *k, int def) { return o.Has(k) && !o.Get(k).IsUndefined() ? requireInt(o, k, "") : def; };
        RenderJob job;
        job.params = benchmarkParams(intOr("width", kBenchmarkWidth), intOr("height", kBenchmarkHeight),
                                     intOr("spp", kBenchmarkSpp));
        job.threads = intOr("threads", 1);
        job.backend = parseBackend(o);
        validateRenderJob(job);
        auto *w = new BenchmarkWorker(info.Env(), job);
        Napi::Promise p = w->promise();
        w->Queue();
        return p;
    });
}

Napi::Value IntersectRays(const Napi::CallbackInfo &info) {
    return guarded(info, [&]() -> Napi::Value {
        std::shared_ptr<Scene> s = sceneFrom(info[0]);
        RF_REQUIRE("ENGINE_BAD_OPTIONS", info.Length() >= 2 && info[1].IsTypedArray() &&
                                             info[1].As<Napi::TypedArray>().TypedArrayType() == napi_float32_array,
                   "rays must be a Float32Array");
        Napi::Float32Array rays = info[1].As<Napi::Float32Array>();
        RF_REQUIRE("ENGINE_BAD_OPTIONS", rays.ElementLength() % 7 == 0, "rays must hold 7 numbers per ray");
        // mode: 'bvh' (8-wide, the CPU's), 'bvh2' (binary, the GPU's) or 'brute'.
        std::string mode = info.Length() >= 3 && info[2].IsString() ? info[2].As<Napi::String>().Utf8Value() : "bvh";
        RF_REQUIRE("ENGINE_BAD_OPTIONS", mode == "bvh" || mode == "bvh2" || mode == "brute",
                   "intersectRays mode must be 'bvh', 'bvh2' or 'brute', got '" << mode << "'");
        bool brute = mode == "brute";
        size_t n = rays.ElementLength() / 7;
        Napi::Float32Array hits = Napi::Float32Array::New(info.Env(), n * 4);
        intersectRays(*s, rays.Data(), n, brute, hits.Data(), mode == "bvh2");
        return hits;
    });
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
    exports.Set("loadScene", Napi::Function::New(env, LoadScene, "loadScene"));
    exports.Set("disposeScene", Napi::Function::New(env, DisposeScene, "disposeScene"));
    exports.Set("sceneInfo", Napi::Function::New(env, SceneInfo, "sceneInfo"));
    exports.Set("renderTile", Napi::Function::New(env, RenderTile, "renderTile"));
    exports.Set("devices", Napi::Function::New(env, Devices, "devices"));
    exports.Set("benchmark", Napi::Function::New(env, Benchmark, "benchmark"));
    exports.Set("intersectRays", Napi::Function::New(env, IntersectRays, "intersectRays"));
    exports.Set("cudaCompiledIn", Napi::Boolean::New(env, cudaCompiledIn()));
    exports.Set("benchmarkSamplesPerSecondAt100", Napi::Number::New(env, kBenchmarkSamplesPerSecondAt100));
    return exports;
}

}  // namespace

}  // namespace rf

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return rf::Init(env, exports); }

NODE_API_MODULE(rayfarm_native, InitModule)
