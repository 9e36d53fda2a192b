import { Controller, Get, Header, NotFoundException, Param, Redirect, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/roles.decorator';
import { PageAssetsSource } from './page-assets';

// The page talks only to this service; nothing inline, nothing from elsewhere.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** The clerk workspace page. Public files: every API call the page makes carries the clerk's bearer token. */
@ApiExcludeController()
@Public()
@Controller()
export class WebController {
  constructor(private readonly page: PageAssetsSource) {}

  @Get()
  @Redirect('/clerk/', 302)
  root(): void {}

  @Get('clerk')
  @Header('Cache-Control', 'no-cache')
  @Header('Content-Security-Policy', CSP)
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Referrer-Policy', 'no-referrer')
  async index(@Res() response: Response): Promise<void> {
    const { html } = await this.page.get();
    response.type('text/html; charset=utf-8').send(html);
  }

  @Get('clerk/assets/:file')
  @Header('Cache-Control', 'no-cache')
  @Header('X-Content-Type-Options', 'nosniff')
  async asset(@Param('file') file: string, @Res() response: Response): Promise<void> {
    const assets = await this.page.get();
    if (file === 'main.js') response.type('text/javascript; charset=utf-8').send(assets.js);
    else if (file === 'main.css') response.type('text/css; charset=utf-8').send(assets.css);
    else throw new NotFoundException(`No page file ${file}.`);
  }
}
