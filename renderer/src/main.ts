// Entry point of the renderer: one Vue app with Pinia.
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import './styles/app.css';

createApp(App).use(createPinia()).mount('#app');
