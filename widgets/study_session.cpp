#include "study_session.h"

#include "study/study_runner.h"
#include "study/torch_trial_evaluator.h"
#include "study/trial_evaluator.h"

#include <QCoreApplication>
#include <QMetaObject>
#include <QThread>

#include <chrono>

namespace quantscope {

/// Lives on the session's thread and owns everything that touches the store or the evaluator.
class StudySession::Worker : public QObject {
public:
    explicit Worker(StudySession* session) : session_(session) {}

    void open(const std::string& database, StudySpec spec, const std::string& workerProgram)
    {
        guard([&] {
            // Everything is built aside and replaces the open study only once it all worked: a
            // failed open or create leaves the previous study usable (and the store removes a
            // file it created but never filled).
            auto store = std::make_unique<StudyStore>(database);
            bool exists = false;
            for (const std::string& name : store->studyNames())
                exists = exists || name == spec.name;
            if (!exists) {
                const std::unique_ptr<TrialEvaluator> probe = makeTrialEvaluator(spec);
                store->createStudy(spec, probe->layers());
            }
            const StoredStudy stored = store->loadStudy(spec.name);
            // The study's workers evaluate in parallel, as `study run` does: one evaluator, or one
            // worker process (`quantscope-cli study evaluate`) per worker.
            auto evaluators = makeTrialEvaluators(stored.spec, {workerProgram, database});
            if (runner_ && runner_->study().id == stored.id && database == database_)
                runner_.reset(); // reopening the open study: its run lock is released first
            auto runner = std::make_unique<StudyRunner>(*store, stored.spec.name, evaluators);
            runner_.reset();
            evaluators_ = std::move(evaluators);
            store_ = std::move(store);
            runner_ = std::move(runner);
            database_ = database;
            // opened() first: views reset to the new study there, so results must come after it.
            post([study = stored, trials = store_->trials(stored.id),
                  path = QString::fromStdString(database)](StudySession* s) mutable {
                s->database_ = path;
                s->publish(std::move(study), std::move(trials));
                s->open_ = true;
                Q_EMIT s->opened();
            });
            std::optional<SensitivityReport> sensitivity;
            if (const auto json = store_->artifact(stored.id, "sensitivity"))
                sensitivity = SensitivityReport::fromJson(*json);
            post([sensitivity](StudySession* s) {
                s->sensitivity_ = sensitivity;
                Q_EMIT s->sensitivityChanged();
            });
            publish();
        });
        post([](StudySession* s) { s->setBusy(false); });
    }

    void extendBudget(int trials)
    {
        guard([&] {
            if (!runner_)
                throw ConfigError("no study is open");
            const std::string name = runner_->study().spec.name;
            store_->setBudget(name, trials, std::nullopt);
            runner_.reset(); // the runner reads the budget when it opens the study (and holds its lock)
            runner_ = std::make_unique<StudyRunner>(*store_, name, evaluators_);
            publish();
        });
        post([](StudySession* s) { s->setBusy(false); });
    }

    void work(bool continuous, const CancelToken* cancel, std::shared_ptr<std::atomic<bool>> pause,
              const std::string& config, int task)
    {
        guard([&] {
            if (!runner_)
                throw ConfigError("no study is open");
            if (!config.empty()) { // the user's own proposal: stored as pending, evaluated by the next step
                const StoredStudy& study = runner_->study();
                std::vector<std::string> names;
                for (const LayerInfo& layer : study.layers)
                    names.push_back(layer.name);
                if (task < 0 || task >= int(study.spec.tasks.size()))
                    throw ConfigError("task " + std::to_string(task) + " is not a task of this study");
                const BitConfig bits = BitConfig::parse(config, names);
                store_->addPendingTrial(study.id, bits.toString(), task, "what-if: asked for by the user");
            }
            const WorkControl control = controlFor(cancel);
            do {
                const std::vector<TrialRow> finished = runner_->step(control);
                publish();
                for (const TrialRow& row : finished)
                    post([row](StudySession* s) { Q_EMIT s->trialFinished(row); });
                if (finished.empty())
                    break;
            } while (continuous && !runner_->budgetSpent() && !pause->load());
        });
        post([](StudySession* s) { s->setBusy(false); });
    }

    void sensitivity(const CancelToken* cancel)
    {
        guard([&] {
            // With parallel workers the evaluators are worker processes: sensitivity loads the
            // network here for itself.
            std::unique_ptr<TrialEvaluator> own;
            auto* torch = dynamic_cast<TorchTrialEvaluator*>(evaluators_.front().get());
            if (!torch && runner_->study().spec.evaluator == "torch") {
                own = makeTrialEvaluator(runner_->study().spec);
                torch = dynamic_cast<TorchTrialEvaluator*>(own.get());
            }
            if (!torch)
                throw ConfigError("sensitivity needs a study of a real model (the torch evaluator)");
            const StoredStudy& study = runner_->study();
            SensitivityOptions options;
            options.quant = torch->quantSettings();
            options.seed = study.spec.seed;
            const SensitivityReport report = quantscope::computeSensitivity(
                torch->network(), torch->splits().search, torch->splits().train, options, controlFor(cancel));
            store_->saveArtifact(study.id, "sensitivity", report.toJson());
            post([report](StudySession* s) {
                s->sensitivity_ = report;
                Q_EMIT s->sensitivityChanged();
            });
        });
        post([](StudySession* s) { s->setBusy(false); });
    }

    void proposeOrSkip(bool skip)
    {
        guard([&] {
            if (!runner_)
                throw ConfigError("no study is open");
            if (skip) {
                for (const TrialRow& row : store_->trials(runner_->study().id))
                    if (row.status == TrialStatus::Pending)
                        runner_->skip(row.id, "skipped by the user");
            } else {
                runner_->propose();
            }
            publish();
        });
        post([](StudySession* s) { s->setBusy(false); });
    }

    void write(StudyExport request, const CancelToken* cancel)
    {
        guard([&] {
            if (!runner_)
                throw ConfigError("no study is open");
            const StoredStudy study = store_->loadStudy(runner_->study().spec.name);
            std::string note;
            request.note = [&note](const std::string& text) { note = text; };
            request.control = controlFor(cancel);
            quantscope::exportStudy(study, store_->trials(study.id), request);
            post([path = QString::fromStdString(request.path), note = QString::fromStdString(note)](StudySession* s) {
                Q_EMIT s->exported(path, note);
            });
        });
        post([](StudySession* s) { s->setBusy(false); });
    }

private:
    /// Cancellation, and progress posted to the GUI a few times a second (not once per batch).
    WorkControl controlFor(const CancelToken* cancel)
    {
        WorkControl control;
        control.cancel = cancel;
        auto lastReport = std::make_shared<std::chrono::steady_clock::time_point>();
        control.progress = [this, lastReport](const Progress& p) {
            const auto now = std::chrono::steady_clock::now();
            if (now - *lastReport < std::chrono::milliseconds(50) && p.done != p.total)
                return;
            *lastReport = now;
            post([p](StudySession* s) { Q_EMIT s->progress(QString::fromStdString(p.phase), p.done, p.total); });
        };
        return control;
    }

    /// Runs `f`; a failure becomes failed(message) and the study stays as stored.
    template <typename F> void guard(F&& f)
    {
        try {
            f();
        } catch (const Cancelled&) {
            publishIfOpen();
            post([](StudySession* s) { Q_EMIT s->progress(QObject::tr("cancelled"), 0, 0); });
        } catch (const std::exception& e) {
            publishIfOpen();
            const QString message = QString::fromLocal8Bit(e.what());
            post([message](StudySession* s) { Q_EMIT s->failed(message); });
        }
    }

    void publishIfOpen()
    {
        try {
            if (runner_)
                publish();
        } catch (const std::exception&) {
        }
    }

    void publish()
    {
        StoredStudy study = store_->loadStudy(runner_->study().spec.name);
        std::vector<TrialRow> trials = store_->trials(study.id);
        // One fit for the step: the search's, behind both the acquisition values and the posterior.
        StudyResults results = computeStudyResults(study, trials, 10, runner_->surrogate(trials));
        std::vector<std::string> ranked;
        for (const ResultPoint& p : results.ranking)
            ranked.push_back(p.config);
        const std::vector<std::optional<double>> values = runner_->acquisition(ranked);
        for (size_t i = 0; i < values.size(); ++i)
            results.ranking[i].acquisition = values[i];
        post([study = std::move(study), trials = std::move(trials),
              results = std::move(results)](StudySession* s) mutable {
            s->publish(std::move(study), std::move(trials));
            s->results_ = std::move(results);
            Q_EMIT s->resultsChanged();
        });
    }

    template <typename F> void post(F&& f)
    {
        StudySession* session = session_;
        QMetaObject::invokeMethod(
            session, [session, f = std::forward<F>(f)]() mutable { f(session); }, Qt::QueuedConnection);
    }

    StudySession* session_;
    std::string database_; ///< of the open study
    std::unique_ptr<StudyStore> store_;
    std::vector<std::unique_ptr<TrialEvaluator>> evaluators_;
    std::unique_ptr<StudyRunner> runner_;
};

StudySession::StudySession(QObject* parent) :
    QObject(parent), thread_(new QThread(this)), pauseRequested_(std::make_shared<std::atomic<bool>>(false)),
    workerProgram_(QCoreApplication::applicationDirPath() + QStringLiteral("/quantscope-cli"))
{
    thread_->setObjectName(QStringLiteral("study worker"));
    worker_ = new Worker(this);
    worker_->moveToThread(thread_);
    connect(thread_, &QThread::finished, worker_, &QObject::deleteLater);
    thread_->start();
}

StudySession::~StudySession()
{
    cancel_.cancel();
    thread_->quit();
    thread_->wait();
}

void StudySession::open(const QString& database, const StudySpec& spec)
{
    if (busy_)
        return;
    setBusy(true, Activity::Opening); // the open study stays open (and its views) until the new one has opened
    Worker* worker = worker_;
    QMetaObject::invokeMethod(
        worker,
        [worker, path = database.toStdString(), spec, program = workerProgram_.toStdString()] {
            worker->open(path, spec, program);
        },
        Qt::QueuedConnection);
}

void StudySession::extendBudget(int trials)
{
    if (busy_ || !open_)
        return;
    setBusy(true, Activity::Bookkeeping);
    Worker* worker = worker_;
    QMetaObject::invokeMethod(
        worker, [worker, trials] { worker->extendBudget(trials); }, Qt::QueuedConnection);
}

void StudySession::step()
{
    command(false);
}

void StudySession::run()
{
    command(true);
}

void StudySession::evaluate(const QString& config, int task)
{
    command(false, config, task);
}

void StudySession::command(bool continuous, const QString& config, int task)
{
    if (busy_ || !open_)
        return;
    cancel_.reset();
    pauseRequested_->store(false);
    setBusy(true, continuous ? Activity::Running : Activity::Working);
    Worker* worker = worker_;
    const CancelToken* cancel = &cancel_;
    QMetaObject::invokeMethod(
        worker,
        [worker, continuous, cancel, pause = pauseRequested_, config = config.toStdString(), task] {
            worker->work(continuous, cancel, pause, config, task);
        },
        Qt::QueuedConnection);
}

void StudySession::computeSensitivity()
{
    if (busy_ || !open_)
        return;
    cancel_.reset();
    setBusy(true, Activity::Working);
    Worker* worker = worker_;
    const CancelToken* cancel = &cancel_;
    QMetaObject::invokeMethod(
        worker, [worker, cancel] { worker->sensitivity(cancel); }, Qt::QueuedConnection);
}

void StudySession::propose()
{
    if (busy_ || !open_)
        return;
    setBusy(true, Activity::Bookkeeping);
    Worker* worker = worker_;
    QMetaObject::invokeMethod(
        worker, [worker] { worker->proposeOrSkip(false); }, Qt::QueuedConnection);
}

void StudySession::skipProposals()
{
    if (busy_ || !open_)
        return;
    setBusy(true, Activity::Bookkeeping);
    Worker* worker = worker_;
    QMetaObject::invokeMethod(
        worker, [worker] { worker->proposeOrSkip(true); }, Qt::QueuedConnection);
}

void StudySession::exportStudy(const StudyExport& request)
{
    if (busy_ || !open_)
        return;
    cancel_.reset(); // re-running a trial's fine-tuning takes minutes: Cancel stops it
    setBusy(true, Activity::Working);
    Worker* worker = worker_;
    const CancelToken* cancel = &cancel_;
    QMetaObject::invokeMethod(
        worker, [worker, request, cancel] { worker->write(request, cancel); }, Qt::QueuedConnection);
}

void StudySession::setWorkerProgram(const QString& program)
{
    workerProgram_ = program;
}

void StudySession::pause()
{
    pauseRequested_->store(true);
}

void StudySession::cancel()
{
    cancel_.cancel();
}

void StudySession::setBusy(bool busy, Activity activity)
{
    activity_ = busy ? activity : Activity::Idle;
    if (busy_ == busy)
        return;
    busy_ = busy;
    Q_EMIT busyChanged(busy);
}

void StudySession::publish(StoredStudy study, std::vector<TrialRow> trials)
{
    study_ = std::move(study);
    trials_ = std::move(trials);
    Q_EMIT trialsChanged();
}

} // namespace quantscope
