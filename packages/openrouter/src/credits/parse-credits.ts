import { dataObject, requiredNumber } from '../http/json-fields.js';

/** The account's credits (`GET /api/v1/credits`). */
export interface AccountCredits {
  totalCredits: number;
  totalUsage: number;
}

export function parseAccountCredits(body: unknown): AccountCredits {
  const data = dataObject(body, 'GET /credits');
  return {
    totalCredits: requiredNumber(data, 'total_credits', 'GET /credits'),
    totalUsage: requiredNumber(data, 'total_usage', 'GET /credits'),
  };
}
