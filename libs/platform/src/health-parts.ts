/**
 * Where the parts of a process that move events (a relay, Kafka consumers) say how they are. Apart from
 * health.ts, which reads the projection host, because the projection host reports here: one file each
 * way keeps the import graph without a cycle.
 */
import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class PartHealth {
  @ApiProperty({ example: 'relay', description: 'relay, broker, or consumer:<projection>' })
  part!: string;
  @ApiProperty({ enum: ['ok', 'degraded'] })
  status!: 'ok' | 'degraded';
  @ApiPropertyOptional({
    example: 'the Kafka broker does not answer: Connection error: connect ECONNREFUSED',
  })
  reason?: string;
}

/** /health asks them on each probe. */
@Injectable()
export class HealthParts {
  private readonly reporters: (() => readonly PartHealth[])[] = [];

  /** `reporter` answers from what the part already knows: a probe must not wait on a broker. */
  add(reporter: () => readonly PartHealth[]): void {
    this.reporters.push(reporter);
  }

  report(): PartHealth[] {
    return this.reporters.flatMap((reporter) => reporter());
  }
}
