#include "study_session.h"

#include "study/study_service.h"

#include <QCoreApplication>
#include <QMetaObject>
#include <QThread>

#include <chrono>

namespace quantscope {

/// Lives on the session's thread and owns the open study's service: everything that touches the
/// store or the evaluators happens here.
class StudySession::Worker : public QObject {
public:
    explicit Worker(StudySession* session) : session_(session) {}

    void open(const std::string& database, StudySpec spec, const std::string& workerProgram)
    {
        guard([&] {
            // Built aside; it replaces the open study only once it all worked: a failed open or
            // create leaves the previous study usable (and no file behind).
            if (service_ && service_->database() == database && service_->study().spec.name == spec.name)
                service_.reset(); // reopening the open study: its run lock is released first
            auto service = std::make_unique<StudyService>(database, spec, WorkerLaunch{workerProgram, database},
                                                          RunSettings{}, controlFor(nullptr));
            // A started trial shows as running at once (its results come when it finishes).
            service->setTrialStarted([this](const TrialRow&) {
                post([study = service_->study(), trials = service_->trials()](StudySession* s) mutable {
                    s->publish(std::move(study), std::move(trials));
                });
            });
            service_ = std::move(service);
            // opened() first: views reset to the new study there, so results (a fit) come after it.
            post([study = service_->study(), trials = service_->trials(),
                  path = QString::fromStdString(database)](StudySession* s) mutable {
                s->database_ = path;
                s->publish(std::move(study), std::move(trials));
                s->open_ = true;
                s->latency_.reset(); // another study may have another network
                Q_EMIT s->opened();
                Q_EMIT s->latencyChanged();
            });
            post([sensitivity = service_->storedSensitivity()](StudySession* s) {
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
            openService().extendBudget(trials);
            publish();
        });
        post([](StudySession* s) { s->setBusy(false); });
    }

    void work(bool continuous, const CancelToken* cancel, std::shared_ptr<std::atomic<bool>> pause,
              const std::optional<BitConfig>& userTrial, int task)
    {
        guard([&] {
            StudyService& service = openService();
            if (userTrial) // the user's own proposal: stored as pending, evaluated by the next step
                service.addUserTrial(*userTrial, task);
            const WorkControl control = controlFor(cancel);
            const auto finishedOne = [this](const TrialRow& row) {
                publish();
                post([row](StudySession* s) { Q_EMIT s->trialFinished(row); });
            };
            if (continuous) {
                service.run(control, finishedOne, [&pause] { return pause->load(); });
            } else {
                const std::vector<TrialRow> finished = service.step(control);
                publish();
                for (const TrialRow& row : finished)
                    post([row](StudySession* s) { Q_EMIT s->trialFinished(row); });
            }
        });
        post([](StudySession* s) { s->setBusy(false); });
    }

    void sensitivity(const CancelToken* cancel)
    {
        guard([&] {
            const SensitivityReport report = openService().computeSensitivity(controlFor(cancel));
            post([report](StudySession* s) {
                s->sensitivity_ = report;
                Q_EMIT s->sensitivityChanged();
            });
        });
        post([](StudySession* s) { s->setBusy(false); });
    }

    void latency(const CancelToken* cancel)
    {
        guard([&] {
            const bitserial::LatencyTable table = openService().latencyTable(controlFor(cancel));
            post([table](StudySession* s) {
                s->latency_ = table;
                Q_EMIT s->latencyChanged();
            });
        });
        post([](StudySession* s) { s->setBusy(false); });
    }

    void proposeOrSkip(bool skip, const CancelToken* cancel)
    {
        guard([&] {
            StudyService& service = openService();
            if (skip)
                service.skipPending("skipped by the user");
            else
                service.propose(controlFor(cancel)); // an EBS search job takes minutes
            publish();
        });
        post([](StudySession* s) { s->setBusy(false); });
    }

    void write(StudyExport request, const CancelToken* cancel)
    {
        guard([&] {
            std::string note;
            request.note = [&note](const std::string& text) { note = text; };
            request.control = controlFor(cancel);
            openService().exportTo(request);
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
        control.warning = [this](const std::string& message) {
            post([text = QString::fromStdString(message)](StudySession* s) { Q_EMIT s->warning(text); });
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

    StudyService& openService()
    {
        if (!service_)
            throw ConfigError("no study is open");
        return *service_;
    }

    void publishIfOpen()
    {
        try {
            if (service_)
                publish();
        } catch (const std::exception&) {
        }
    }

    void publish() { publish(service_->snapshot()); }

    void publish(StudySnapshot snapshot)
    {
        post([snapshot = std::move(snapshot)](StudySession* s) mutable {
            s->publish(std::move(snapshot.study), std::move(snapshot.trials));
            s->results_ = std::move(snapshot.results);
            s->searchJobs_ = std::move(snapshot.searchJobs);
            s->data_ = std::move(snapshot.data);
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
    std::unique_ptr<StudyService> service_; ///< the open study
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

void StudySession::evaluate(const BitConfig& bits, int task)
{
    command(false, bits, task);
}

void StudySession::command(bool continuous, const std::optional<BitConfig>& userTrial, int task)
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
        [worker, continuous, cancel, pause = pauseRequested_, userTrial, task] {
            worker->work(continuous, cancel, pause, userTrial, task);
        },
        Qt::QueuedConnection);
}

void StudySession::startCancellable(void (Worker::*task)(const CancelToken*))
{
    if (busy_ || !open_)
        return;
    cancel_.reset();
    setBusy(true, Activity::Working);
    Worker* worker = worker_;
    const CancelToken* cancel = &cancel_;
    QMetaObject::invokeMethod(
        worker, [worker, cancel, task] { (worker->*task)(cancel); }, Qt::QueuedConnection);
}

void StudySession::computeSensitivity()
{
    startCancellable(&Worker::sensitivity);
}

void StudySession::computeLatency()
{
    startCancellable(&Worker::latency);
}

void StudySession::propose()
{
    if (busy_ || !open_)
        return;
    cancel_.reset();
    setBusy(true, Activity::Working); // cancellable: the ebs strategy's proposal is a search job
    Worker* worker = worker_;
    const CancelToken* cancel = &cancel_;
    QMetaObject::invokeMethod(
        worker, [worker, cancel] { worker->proposeOrSkip(false, cancel); }, Qt::QueuedConnection);
}

void StudySession::skipProposals()
{
    if (busy_ || !open_)
        return;
    setBusy(true, Activity::Bookkeeping);
    Worker* worker = worker_;
    QMetaObject::invokeMethod(
        worker, [worker] { worker->proposeOrSkip(true, nullptr); }, Qt::QueuedConnection);
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
