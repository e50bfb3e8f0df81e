/** For specs that call the accreditation interface in-process, as the routes do: a step as its rpc. */
import type { WriteReceipt } from '#contracts';
import type { CommandContext } from '#proto/observa/common/v1/calls';
import type { Accreditation } from './accreditation.contract.js';
import type { ApplicationStep } from './take-application-step/take-application-step.js';

/** The rpc of each application step, with the step's own fields. */
export const takeStep = (
  accreditation: Accreditation,
  context: CommandContext,
  applicationId: string,
  step: ApplicationStep,
): Promise<WriteReceipt> => {
  const request = { context, applicationId };
  switch (step.type) {
    case 'ApproveApplication':
      return accreditation.approveApplication({ ...request, ...(step.reason && { reason: step.reason }) });
    case 'RejectApplication':
      return accreditation.rejectApplication({ ...request, reason: step.reason });
    case 'RequestAccreditation':
      return accreditation.requestAccreditation({ ...request, hostBody: step.hostBody });
    case 'RefuseAccreditation':
      return accreditation.refuseAccreditation({ ...request, reason: step.reason });
    case 'SuspendAccreditation':
      return accreditation.suspendAccreditation({ ...request, reason: step.reason });
    case 'ReinstateAccreditation':
      return accreditation.reinstateAccreditation(request);
    case 'RevokeAccreditation':
      return accreditation.revokeAccreditation({ ...request, reason: step.reason });
    case 'ExpireAccreditation':
      return accreditation.expireAccreditation(request);
  }
};
