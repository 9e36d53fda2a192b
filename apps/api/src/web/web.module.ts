import { Module } from '@nestjs/common';
import { PageAssetsSource } from './page-assets';
import { WebController } from './web.controller';

@Module({
  controllers: [WebController],
  providers: [PageAssetsSource],
})
export class WebModule {}
