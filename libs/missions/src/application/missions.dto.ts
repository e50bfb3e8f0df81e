/** The request bodies of the missions routes: shapes checked here, business rules in the decider. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsCalendarDate, NestedObject, pageSchema } from '#platform';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ELECTION_KINDS, STAFF_ROLES, type ElectionKind, type StaffRole } from '../domain/mission.js';

const ALPHA_2 = /^[A-Za-z]{2}$/;

export class ElectionRequest {
  @ApiProperty({ enum: ELECTION_KINDS })
  @IsIn([...ELECTION_KINDS])
  readonly kind!: ElectionKind;

  @ApiProperty({ example: '2023-11-30', description: 'election day (first round), YYYY-MM-DD' })
  @IsCalendarDate()
  readonly date!: string;

  @ApiProperty({ minimum: 1, maximum: 10, example: 1 })
  @IsInt()
  @Min(1)
  @Max(10)
  readonly rounds!: number;
}

export class OpenMissionRequest {
  @ApiProperty({ example: 'International Election Observation Mission, Kyrgyz Republic 2023' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  readonly name!: string;

  @ApiProperty({ example: 'CIS Interparliamentary Assembly' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  readonly organisation!: string;

  @ApiProperty({ example: 'KG', description: 'ISO 3166-1 alpha-2' })
  @IsString()
  @Matches(ALPHA_2, { message: 'hostCountry must be an ISO 3166-1 alpha-2 code, e.g. KG' })
  readonly hostCountry!: string;

  @ApiProperty({ type: ElectionRequest })
  @NestedObject(() => ElectionRequest)
  readonly election!: ElectionRequest;
}

export class AddDelegationRequest {
  @ApiProperty({ example: 'KZ', description: 'member state, ISO 3166-1 alpha-2' })
  @IsString()
  @Matches(ALPHA_2, { message: 'country must be an ISO 3166-1 alpha-2 code, e.g. KZ' })
  readonly country!: string;

  @ApiProperty({ example: 'Yerlan Nurlanovich' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  readonly headOfDelegation!: string;
}

export class GrantStaffRoleRequest {
  @ApiProperty({ description: 'the user id of an account (see POST /api/v1/users)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  readonly userId!: string;

  @ApiProperty({ enum: STAFF_ROLES })
  @IsIn([...STAFF_ROLES])
  readonly role!: StaffRole;
}

export class CloseMissionRequest {
  @ApiPropertyOptional({ example: 'final statement published' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  readonly reason?: string;
}

export class DelegationView {
  @ApiProperty() readonly country!: string;
  @ApiProperty() readonly headOfDelegation!: string;
}

export class StaffMemberView {
  @ApiProperty() readonly userId!: string;
  @ApiProperty({ enum: STAFF_ROLES, isArray: true }) readonly roles!: StaffRole[];
}

export class MissionSummaryView {
  @ApiProperty() readonly missionId!: string;
  @ApiProperty() readonly name!: string;
  @ApiProperty() readonly organisation!: string;
  @ApiProperty() readonly hostCountry!: string;
  @ApiProperty({ type: ElectionRequest }) readonly election!: ElectionRequest;
  @ApiProperty({ enum: ['open', 'closed'] }) readonly status!: 'open' | 'closed';
}

export const MissionPage = pageSchema('MissionPage', MissionSummaryView);

export class MissionDetailView extends MissionSummaryView {
  @ApiProperty({ type: [DelegationView] }) readonly delegations!: DelegationView[];
  @ApiProperty({ type: [StaffMemberView] }) readonly staff!: StaffMemberView[];
  @ApiProperty() readonly openedAt!: string;
  @ApiPropertyOptional() readonly closedAt?: string;
  @ApiProperty({ description: 'version of the mission stream this view reflects' })
  readonly streamVersion!: string;
}
