/** The answers of the accreditation lists as OpenAPI names them: each list a page of one kind of item. */
import { pageSchema } from '#platform';
import { ApplicationView, RuleSetView } from './views.js';

export const ApplicationPage = pageSchema('ApplicationPage', ApplicationView);
export const ObserverPage = pageSchema('ObserverPage', ApplicationView);
export const RuleSetPage = pageSchema('RuleSetPage', RuleSetView);
