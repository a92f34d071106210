#include "common/progress.h"

#include "common/error.h"

namespace quantscope {

void WorkControl::checkCancelled() const
{
    if (cancel && cancel->isCancelled())
        throw Cancelled();
}

} // namespace quantscope
